"""ffnn.neuralNetwork runs code written for the book's class unchanged.

Each test is a notebook-like script, the way the book's readers write
them, run twice: once on ffnn's class and once on a plain NumPy twin built
from tests/reference.py; the two must agree to 1e-12.
"""
import numpy
import pytest
import reference

import ffnn

TOL = 1e-12


class ReferenceNetwork:
    """The book's class in plain NumPy, on tests/reference.py, for comparison."""

    def __init__(self, inputnodes, hiddennodes, outputnodes, learningrate):
        self.inodes, self.hnodes, self.onodes, self.lr = inputnodes, hiddennodes, outputnodes, learningrate
        self.wih = numpy.random.normal(0.0, pow(self.inodes, -0.5), (self.hnodes, self.inodes))
        self.who = numpy.random.normal(0.0, pow(self.hnodes, -0.5), (self.onodes, self.hnodes))

    def train(self, inputs_list, targets_list):
        weights = [self.wih, self.who]  # updated in place
        reference.train(weights, numpy.asarray(inputs_list, float).reshape(-1),
                        numpy.asarray(targets_list, float).reshape(-1), self.lr)

    def query(self, inputs_list):
        return reference.query([self.wih, self.who], numpy.asarray(inputs_list, float).reshape(-1)).reshape(-1, 1)

    def backquery(self, targets_list):
        return reference.backquery([self.wih, self.who], numpy.asarray(targets_list, float).reshape(-1)).reshape(-1, 1)


@pytest.fixture(autouse=True)
def global_generator():
    """The scripts seed NumPy's global generator; leave it as it was."""
    state = numpy.random.get_state()
    yield
    numpy.random.set_state(state)


@pytest.fixture(scope="module")
def csv_files(sample, tmp_path_factory):
    """The book's CSV format, "label,p0,...,p783" lines, from the shipped sample."""
    directory = tmp_path_factory.mktemp("book")
    paths = {}
    for name, images, labels in [("mnist_train_300.csv", sample.train_images[:300], sample.train_labels[:300]),
                                 ("mnist_test_50.csv", sample.test_images[:50], sample.test_labels[:50])]:
        lines = [",".join(map(str, [label, *image])) for image, label in zip(images, labels)]
        (directory / name).write_text("\n".join(lines) + "\n")
        paths[name] = directory / name
    return paths


def both(seed=7, **sizes):
    """ffnn's class and the reference's, from the same global-generator draws."""
    numpy.random.seed(seed)
    ours = ffnn.neuralNetwork(**sizes)
    numpy.random.seed(seed)
    theirs = ReferenceNetwork(**sizes)
    return ours, theirs


BOOK_SIZES = dict(inputnodes=784, hiddennodes=100, outputnodes=10, learningrate=0.3)


def assert_same_weights(ours, theirs):
    numpy.testing.assert_allclose(ours.wih, theirs.wih, rtol=0, atol=TOL)
    numpy.testing.assert_allclose(ours.who, theirs.who, rtol=0, atol=TOL)


def train_script(n, path, epochs=2):
    """The book's training loop over the lines of a CSV file."""
    training_data_file = open(path)
    training_data_list = training_data_file.readlines()
    training_data_file.close()
    for e in range(epochs):
        for record in training_data_list:
            all_values = record.split(",")
            inputs = (numpy.asarray(all_values[1:], dtype=float) / 255.0 * 0.99) + 0.01
            targets = numpy.zeros(n.onodes) + 0.01
            targets[int(all_values[0])] = 0.99
            assert n.train(inputs, targets) is None  # the book's train returns nothing


def scorecard_script(n, path):
    """The book's test loop: 1 for each right answer, 0 for each wrong one, and the outputs."""
    test_data_file = open(path)
    test_data_list = test_data_file.readlines()
    test_data_file.close()
    scorecard, all_outputs = [], []
    for record in test_data_list:
        all_values = record.split(",")
        correct_label = int(all_values[0])
        inputs = (numpy.asarray(all_values[1:], dtype=float) / 255.0 * 0.99) + 0.01
        outputs = n.query(inputs)
        label = numpy.argmax(outputs)
        scorecard.append(1 if label == correct_label else 0)
        all_outputs.append(outputs)
    return scorecard, all_outputs


def test_the_weights_are_the_books_draws_from_numpys_global_generator():
    numpy.random.seed(3)
    n = ffnn.neuralNetwork(inputnodes=784, hiddennodes=200, outputnodes=10, learningrate=0.1)
    numpy.random.seed(3)
    wih = numpy.random.normal(0.0, pow(784, -0.5), (200, 784))
    who = numpy.random.normal(0.0, pow(200, -0.5), (10, 200))
    numpy.testing.assert_array_equal(n.wih, wih)
    numpy.testing.assert_array_equal(n.who, who)
    assert (n.inodes, n.hnodes, n.onodes, n.lr) == (784, 200, 10, 0.1)
    assert n.wih.dtype == numpy.float64 and n.network.rule == "book"


def test_the_mnist_training_and_scorecard_cells(csv_files):
    ours, theirs = both(**BOOK_SIZES)
    for n in (ours, theirs):
        train_script(n, csv_files["mnist_train_300.csv"])
    assert_same_weights(ours, theirs)
    our_scores, our_outputs = scorecard_script(ours, csv_files["mnist_test_50.csv"])
    their_scores, their_outputs = scorecard_script(theirs, csv_files["mnist_test_50.csv"])
    assert our_scores == their_scores
    for o, t in zip(our_outputs, their_outputs):
        assert o.shape == (10, 1)
        numpy.testing.assert_allclose(o, t, rtol=0, atol=TOL)
    scorecard_array = numpy.asarray(our_scores)
    assert scorecard_array.sum() / scorecard_array.size > 0.6  # 300 images, two epochs


def test_lists_and_columns_train_as_arrays_do():
    ours, theirs = both(inputnodes=3, hiddennodes=3, outputnodes=3, learningrate=0.3)
    ours.train([1.0, 0.5, -1.5], [0.99, 0.01, 0.01])  # the book's first example
    theirs.train([1.0, 0.5, -1.5], [0.99, 0.01, 0.01])
    ours.train(numpy.array([0.2, 0.4, 0.6], ndmin=2).T, numpy.array([0.01, 0.99, 0.01], ndmin=2).T)
    theirs.train([0.2, 0.4, 0.6], [0.01, 0.99, 0.01])
    assert_same_weights(ours, theirs)
    numpy.testing.assert_allclose(ours.query([1.0, 0.5, -1.5]), theirs.query([1.0, 0.5, -1.5]), rtol=0, atol=TOL)
    assert ours.query(numpy.array([1.0, 0.5, -1.5], ndmin=2).T).shape == (3, 1)


def test_the_backquery_cell(csv_files):
    ours, theirs = both(**BOOK_SIZES)
    for n in (ours, theirs):
        train_script(n, csv_files["mnist_train_300.csv"], epochs=1)
    for label in range(10):
        images = []
        for n in (ours, theirs):
            targets = numpy.zeros(n.onodes) + 0.01
            targets[label] = 0.99
            image_data = n.backquery(targets)
            assert image_data.shape == (784, 1)
            images.append(image_data.reshape(28, 28))
        numpy.testing.assert_allclose(images[0], images[1], rtol=0, atol=TOL)


def test_the_rotation_cell(csv_files):
    ndimage = pytest.importorskip("scipy.ndimage")
    ours, theirs = both(**BOOK_SIZES)
    with open(csv_files["mnist_train_300.csv"]) as f:
        training_data_list = f.readlines()[:100]
    for n in (ours, theirs):
        for record in training_data_list:
            all_values = record.split(",")
            inputs = (numpy.asarray(all_values[1:], dtype=float) / 255.0 * 0.99) + 0.01
            targets = numpy.zeros(n.onodes) + 0.01
            targets[int(all_values[0])] = 0.99
            n.train(inputs, targets)
            inputs_plusx_img = ndimage.rotate(inputs.reshape(28, 28), 10, cval=0.01, order=1, reshape=False)
            n.train(inputs_plusx_img.reshape(784), targets)
            inputs_minusx_img = ndimage.rotate(inputs.reshape(28, 28), -10, cval=0.01, order=1, reshape=False)
            n.train(inputs_minusx_img.reshape(784), targets)
    assert_same_weights(ours, theirs)


def test_weights_and_learning_rate_set_by_hand_are_used():
    ours, theirs = both(inputnodes=4, hiddennodes=3, outputnodes=2, learningrate=0.3)
    ours.wih = theirs.wih = numpy.full((3, 4), 0.1)
    ours.who[0, 0] = theirs.who[0, 0] = -2.0  # an edit in place
    ours.lr = theirs.lr = 0.05
    for n in (ours, theirs):
        n.train([0.1, 0.2, 0.3, 0.4], [0.99, 0.01])
    assert_same_weights(ours, theirs)
    assert ours.network.learning_rate == 0.05
    with pytest.raises(ValueError, match=r"wih must have shape \(3, 4\)"):
        ours.wih = numpy.zeros((4, 3))


def test_activation_functions_are_the_sigmoid_and_its_inverse():
    n = ffnn.neuralNetwork(2, 2, 2, 0.1)
    x = numpy.array([-800.0, -3.0, 0.0, 2.5, 800.0])
    numpy.testing.assert_allclose(n.activation_function(x), reference.sigmoid(x), rtol=TOL)
    y = numpy.array([0.01, 0.5, 0.99])
    numpy.testing.assert_allclose(n.inverse_activation_function(y), reference.logit(y), rtol=TOL)
    with pytest.raises(AttributeError, match="cannot be replaced"):
        n.activation_function = lambda v: v


def test_the_class_is_the_books_only():
    with pytest.raises(TypeError, match="one hidden layer"):
        ffnn.neuralNetwork(4, [3, 3], 2, 0.1)
    with pytest.raises(TypeError):
        ffnn.neuralNetwork(input_nodes=4, hidden_nodes=3, output_nodes=2, learning_rate=0.1)
    assert repr(ffnn.neuralNetwork(4, 3, 2, 0.5)) == "neuralNetwork(4, 3, 2, 0.5)"
