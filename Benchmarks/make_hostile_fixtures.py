"""Makes the hostile Keras fixtures of vizsite's reader tests (Tests/CNNTests/Fixtures/hostile/).

Each is a real Keras file (a copy of sequential-mnist's) in which one weight tensor reads
its values from elsewhere on the machine, as an attacker's model downloaded from a hub
might, with no symbolic link needed (the file survives zip, git and e-mail):

- external-storage.h5: legacy .h5, `dense_1`'s bias kept in /etc/passwd (HDF5 external storage);
- external-link.h5: legacy .h5, that bias an HDF5 external link to /etc/passwd.h5:/bias;
- external-storage.keras: .keras whose model.weights.h5 keeps a bias in /etc/passwd;
- bomb.keras: a 300 KB .keras whose model.weights.h5 inflates to 300 MB of zeros;
- declares-2gb.keras: a .keras whose model.weights.h5 claims 2^31 - 1 bytes in its headers.

    Benchmarks/.venv/bin/pip install h5py numpy
    Benchmarks/.venv/bin/python Benchmarks/make_hostile_fixtures.py
"""
import io
import os
import shutil
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORT = os.path.join(HERE, "..", "Tests", "CNNTests", "Fixtures", "import")
OUT = os.path.join(HERE, "..", "Tests", "CNNTests", "Fixtures", "hostile")


def replace(group, name, how):
    """Replaces dataset `name` of `group` by one whose values are not in the file."""
    shape, dtype = group[name].shape, group[name].dtype
    del group[name]
    if how == "storage":
        size = int(dtype.itemsize) * int(np.prod(shape))
        group.create_dataset(name, shape=shape, dtype=dtype, external=[("/etc/passwd", 0, size)])
    else:
        group[name] = h5py.ExternalLink("/etc/passwd.h5", "/bias")


def legacy(how, out):
    shutil.copy(os.path.join(IMPORT, "sequential-mnist-keras3.h5"), out)
    with h5py.File(out, "r+") as f:
        layer = f["model_weights"]["dense_1"]
        names = [n.decode() if isinstance(n, bytes) else n for n in layer.attrs["weight_names"]]
        bias = [n for n in names if n.endswith("bias")][0]
        parent, leaf = bias.rsplit("/", 1)
        replace(layer[parent], leaf, how)


def keras_zip(out):
    with zipfile.ZipFile(os.path.join(IMPORT, "sequential-mnist.keras")) as source:
        members = {n: source.read(n) for n in source.namelist()}
    image = io.BytesIO(members["model.weights.h5"])
    with h5py.File(image, "r+") as f:
        for name in sorted(f["layers"]):
            variables = f["layers"][name].get("vars")
            if variables is not None and "1" in variables:
                replace(variables, "1", "storage")
                break
    members["model.weights.h5"] = image.getvalue()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)


def bombs():
    with zipfile.ZipFile(os.path.join(IMPORT, "sequential-mnist.keras")) as source:
        config = source.read("config.json")
    with zipfile.ZipFile(os.path.join(OUT, "bomb.keras"), "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        target.writestr("config.json", config)
        target.writestr("model.weights.h5", bytes(300 << 20))
    # A small member whose local and central headers then claim 2^31 - 1 bytes.
    path = os.path.join(OUT, "declares-2gb.keras")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("config.json", config)
        target.writestr("model.weights.h5", bytes(4096))
    data = bytearray(open(path, "rb").read())
    name = b"model.weights.h5"
    at = 0
    while True:
        at = data.find(b"PK\x01\x02", at)
        if at < 0:
            break
        length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + length] == name:
            data[at + 24:at + 28] = (2**31 - 1).to_bytes(4, "little")
        at += 4
    open(path, "wb").write(bytes(data))


os.makedirs(OUT, exist_ok=True)
bombs()
legacy("storage", os.path.join(OUT, "external-storage.h5"))
legacy("link", os.path.join(OUT, "external-link.h5"))
keras_zip(os.path.join(OUT, "external-storage.keras"))
print("wrote", sorted(os.listdir(OUT)))
