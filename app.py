"""bpdash: watch a neural network learn by backpropagation. Run with `streamlit run app.py`."""
from bpdash.ui.app import main

main()
