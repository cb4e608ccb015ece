"""The rules of PRODUCT §4 as pure pandas: periods and their figures, targets, awards and lights, working days,
SPC, the programme's units. No store, no Streamlit: every function takes frames and gives frames."""
