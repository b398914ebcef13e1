"""ffnn: the neural network of *Make Your Own Neural Network*, exact and fast.

>>> import ffnn
>>> net = ffnn.NeuralNetwork(784, 200, 10, 0.1)
"""
from ffnn.network import NeuralNetwork

__version__ = "0.1.0"
__all__ = ["NeuralNetwork", "__version__"]
