"""bpdash: watch a neural network learn by backpropagation. Started by `bpdash dashboard`."""
from bpdash.ui.app import main

main()
