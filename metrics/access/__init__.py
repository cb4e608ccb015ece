"""Who may do what (PRODUCT §7): users and roles (users), sign-in with lockout (lockout), server-side sessions
(sessions), and which hospitals a user may read and write (grants)."""
