"""Trains a small convolutional network on scikit-learn's handwritten digits (8x8 images,
bundled with scikit-learn, so it runs offline), then saves a checkpoint and a plot.

Written for PyTorch and run unmodified by both libraries:
    python examples/train_digits.py                 # PyTorch
    python -m ember run examples/train_digits.py    # ember
Needs the examples extra: pip install -e '.[examples]'."""
import argparse
import os

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from tqdm import tqdm  # noqa: E402


def digit_tensors(seed):
    """Train and test splits of the 1,797 digits: images scaled to [0, 1], labels as int64."""
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[:, None]      # N x 1 x 8 x 8
    train_x, test_x, train_y, test_y = train_test_split(
        images, digits.target, test_size=0.25, random_state=seed, stratify=digits.target)
    return (TensorDataset(torch.from_numpy(train_x), torch.from_numpy(train_y).long()),
            TensorDataset(torch.from_numpy(test_x), torch.from_numpy(test_y).long()))


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 32 x 4 x 4
        nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 64 x 2 x 2
        nn.Flatten(), nn.Linear(64 * 2 * 2, 10))


def evaluate(model, loader, loss_fn):
    """Mean loss and accuracy over a loader, without recording gradients."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += loss_fn(logits, labels).item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            count += len(labels)
    return total_loss / count, correct / count


def train(epochs, output_dir, seed=0):
    torch.manual_seed(seed)
    train_set, test_set = digit_tensors(seed)
    generator = torch.Generator().manual_seed(seed)
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True, generator=generator)
    test_loader = DataLoader(test_set, batch_size=256)
    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    # one cycle: warm up to the peak rate, then anneal; stepped once per batch
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2,
                                                    total_steps=epochs * len(train_loader))
    history = {"train_loss": [], "test_loss": [], "train_accuracy": [], "test_accuracy": []}

    for epoch in range(1, epochs + 1):
        model.train()
        running_loss, correct, seen = 0.0, 0, 0
        progress = tqdm(train_loader, desc=f"epoch {epoch:2d}/{epochs}", unit="batch",
                        leave=False)
        for images, labels in progress:
            optimizer.zero_grad()
            logits = model(images)
            loss = loss_fn(logits, labels)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running_loss += loss.item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
            progress.set_postfix(loss=f"{running_loss / seen:.4f}")
        test_loss, test_accuracy = evaluate(model, test_loader, loss_fn)
        history["train_loss"].append(running_loss / seen)
        history["train_accuracy"].append(correct / seen)
        history["test_loss"].append(test_loss)
        history["test_accuracy"].append(test_accuracy)
        tqdm.write(f"epoch {epoch:2d}: train loss {running_loss / seen:.4f}, "
                   f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.2%}")

    checkpoint_path = os.path.join(output_dir, "digits_cnn.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": epochs, "history": history}, checkpoint_path)
    plot_path = os.path.join(output_dir, "digits_training.png")
    plot(history, plot_path)
    print(f"test accuracy: {history['test_accuracy'][-1]:.2%}")
    print(f"saved {checkpoint_path} and {plot_path}")
    return history


def plot(history, path):
    epochs = range(1, len(history["train_loss"]) + 1)
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 4))
    loss_axes.plot(epochs, history["train_loss"], marker="o", label="train")
    loss_axes.plot(epochs, history["test_loss"], marker="o", label="test")
    loss_axes.set(title="cross-entropy loss", xlabel="epoch", ylabel="loss", yscale="log")
    accuracy_axes.plot(epochs, [100 * a for a in history["train_accuracy"]], marker="o",
                       label="train")
    accuracy_axes.plot(epochs, [100 * a for a in history["test_accuracy"]], marker="o",
                       label="test")
    accuracy_axes.set(title="accuracy", xlabel="epoch", ylabel="accuracy (%)")
    for axes in (loss_axes, accuracy_axes):
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle(f"small CNN on scikit-learn digits ({torch.__name__})")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--output-dir", default=".")
    arguments = parser.parse_args()
    train(arguments.epochs, arguments.output_dir)
