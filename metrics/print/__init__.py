"""Forms the office prints and files on paper (no Streamlit here): ``application`` — the filled 申报表 of seed 004's
附件 2 (PRODUCT §10 applications) as DOCX."""
