"""``ffnn train --recipe book|best``: the book's training, or the recipe of docs/beyond.md."""
import pytest

from ffnn import cli


def run(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def no_tqdm(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)


def test_the_best_recipe_says_what_it_does_and_shows_each_epochs_rate(no_tqdm, capsys):
    code, out, err = run(["train", "--recipe", "best", "--epochs", 2, "--seed", 1], capsys)
    assert code == 0, err
    assert "dtype=float32" in out  # the recipe's own, as docs/beyond.md measured it
    assert out.startswith("recipe 'best': 200 sigmoid hidden nodes, rule 'cross_entropy'")
    assert "bias=True" in out and "every image distorted afresh each epoch" in out
    assert "0.05 x 0.98^(epoch-1), 2 epochs," in out
    assert "epoch 2 of 2:" in out and "learning rate 0.049" in out and "test accuracy" in out


def test_the_book_is_the_default_recipe(no_tqdm, capsys):
    default = run(["train", "--epochs", 1, "--seed", 2, "--hidden", 20], capsys)
    book = run(["train", "--recipe", "book", "--epochs", 1, "--seed", 2, "--hidden", 20], capsys)
    assert default[0] == book[0] == 0
    assert default[1].split("training took")[0] == book[1].split("training took")[0]
    assert "epoch 1 of 1" in book[1] and "recipe" not in book[1]
    assert "dtype=float64" in book[1]  # the book's NumPy arithmetic


def test_a_given_dtype_overrides_the_recipes(no_tqdm, capsys):
    code, out, err = run(["train", "--recipe", "best", "--epochs", 1, "--seed", 1, "--dtype", "float64"], capsys)
    assert code == 0, err
    assert "dtype=float64" in out


def test_the_best_recipe_keeps_its_own_network(capsys):
    code, _, err = run(["train", "--recipe", "best", "--hidden", 100], capsys)
    assert code == 1 and "--recipe best sets its own hidden nodes" in err
    with pytest.raises(SystemExit) as exit:
        cli.main(["train", "--recipe", "fast"])
    assert exit.value.code == 2 and "invalid choice" in capsys.readouterr().err
