"""Tokenizers for the language-model policies: a character-level tokenizer and an adapter for HF tokenizers.

Both expose the same small interface used by :mod:`rqe.srpo.lm.policy`: ``encode(text) -> list[int]``,
``decode(ids) -> str``, ``vocab_size``, ``pad_id``, ``bos_id``, ``eos_id``, and ``save(directory)``.

Example
-------
>>> tok = CharTokenizer()
>>> tok.decode(tok.encode("3+4=7 #### 7"))
'3+4=7 #### 7'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from rqe.errors import ParameterError

__all__ = ["CharTokenizer", "HFTokenizer", "load_tokenizer"]

_CHAR_FILE = "char_tokenizer.json"


class CharTokenizer:
    """One token per character: printable ASCII and newline, plus ``<pad>``, ``<bos>``, ``<eos>``, ``<unk>``.

    Characters outside the alphabet map to ``<unk>`` (id 3), which decodes to ``"?"``.

    Example
    -------
    >>> tok = CharTokenizer()
    >>> tok.vocab_size, tok.pad_id, tok.eos_id
    (100, 0, 2)
    >>> tok.encode("A1")
    [38, 22]
    """

    specials = ("<pad>", "<bos>", "<eos>", "<unk>")

    def __init__(self, alphabet: str | None = None):
        chars = alphabet if alphabet is not None else "\n" + "".join(chr(c) for c in range(32, 127))
        if len(set(chars)) != len(chars):
            raise ParameterError("the alphabet of a CharTokenizer must not repeat characters")
        self.alphabet = chars
        self._index = {ch: i + len(self.specials) for i, ch in enumerate(chars)}
        self.pad_id, self.bos_id, self.eos_id, self.unk_id = 0, 1, 2, 3

    @property
    def vocab_size(self) -> int:
        return len(self.specials) + len(self.alphabet)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (no ``<bos>``/``<eos>`` added)."""
        return [self._index.get(ch, self.unk_id) for ch in text]

    def decode(self, ids: Sequence[int]) -> str:
        """Text of ``ids``; special tokens are dropped except ``<unk>``, which becomes ``"?"``."""
        n_special = len(self.specials)
        out = []
        for i in ids:
            i = int(i)
            if i >= n_special and i - n_special < len(self.alphabet):
                out.append(self.alphabet[i - n_special])
            elif i == self.unk_id:
                out.append("?")
        return "".join(out)

    def save(self, directory: str | Path) -> None:
        """Write ``char_tokenizer.json`` into ``directory``."""
        from rqe._files import write_text

        write_text(Path(directory, _CHAR_FILE), json.dumps({"alphabet": self.alphabet}))

    @classmethod
    def load(cls, directory: str | Path) -> "CharTokenizer":
        return cls(json.loads(Path(directory, _CHAR_FILE).read_text())["alphabet"])


class HFTokenizer:
    """Adapter giving a Hugging Face tokenizer the :class:`CharTokenizer` interface.

    ``<eos>`` is the tokenizer's ``eos_token_id``; ``<pad>`` its ``pad_token_id`` or, when it has none, the
    ``eos`` id (padded positions are masked out everywhere, so sharing the id is harmless).
    """

    def __init__(self, tokenizer: Any):
        if tokenizer.eos_token_id is None:
            raise ParameterError("the Hugging Face tokenizer has no eos token; set tokenizer.eos_token first")
        self.tokenizer = tokenizer
        self.eos_id = int(tokenizer.eos_token_id)
        self.pad_id = int(tokenizer.pad_token_id) if tokenizer.pad_token_id is not None else self.eos_id
        bos = tokenizer.bos_token_id
        self.bos_id = int(bos) if bos is not None else self.eos_id

    @property
    def vocab_size(self) -> int:
        return len(self.tokenizer)

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def decode(self, ids: Sequence[int]) -> str:
        return self.tokenizer.decode([int(i) for i in ids], skip_special_tokens=True)

    def save(self, directory: str | Path) -> None:
        save_through_scratch(Path(directory), self.tokenizer.save_pretrained)


def save_through_scratch(path: Path, save: Any) -> None:
    """Run a library's ``save(folder)`` (e.g. ``save_pretrained``) into a scratch folder inside ``path``, then move
    every file it wrote into ``path`` through the atomic writer :mod:`rqe._files`; the scratch folder is removed."""
    import shutil
    import tempfile

    from rqe._files import write_bytes
    from rqe.errors import OutputError

    try:
        path.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".save-", dir=path))
    except OSError as exc:
        raise OutputError(f"cannot write into {str(path)!r}: {exc.strerror or exc}", path=str(path)) from exc
    try:
        try:
            save(str(scratch))
        except OSError as exc:
            raise OutputError(f"cannot write into {str(path)!r}: {exc.strerror or exc}", path=str(path)) from exc
        for file in sorted(p for p in scratch.rglob("*") if p.is_file()):
            target = path / file.relative_to(scratch)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError(f"cannot create {str(target.parent)!r}: {exc.strerror or exc}",
                                  path=str(target.parent)) from exc
            write_bytes(target, file.read_bytes())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def load_tokenizer(directory: str | Path) -> CharTokenizer | HFTokenizer:
    """The tokenizer saved in ``directory``: a :class:`CharTokenizer` if ``char_tokenizer.json`` is there,
    otherwise a local Hugging Face tokenizer (``local_files_only``: nothing is downloaded)."""
    if Path(directory, _CHAR_FILE).exists():
        return CharTokenizer.load(directory)
    from rqe._optional import require

    transformers = require("transformers", "lm", "Hugging Face tokenizers")
    return HFTokenizer(transformers.AutoTokenizer.from_pretrained(str(directory), local_files_only=True))
