"""Gambit's extensive-form ``.efg`` format (version 2): reading and writing an
:class:`~rqe.extensive.ExtensiveGame`.

The format (Gambit manual, "The extensive game (.efg) file format"): a prologue
``EFG 2 R "title" { "Player 1" "Player 2" }`` with an optional quoted comment, then the nodes in pre-order,
one entry each::

    c "name" infoset ["infoset name" { "action" prob ... }] outcome ["outcome name" { u_1, u_2, ... }]
    p "name" player infoset ["infoset name" { "action" ... }] outcome ["outcome name" { u_1, u_2, ... }]
    t "name" outcome ["outcome name" { u_1, u_2, ... }]

Players and infosets are 1-based numbers (an infoset number is unique within its player; chance has its own
numbers); outcome ``0`` is the null outcome. The bracketed descriptions may be left out after an infoset's or
outcome's first appearance, and must match it when repeated. Payoffs and probabilities are integers, decimals
or rationals ``p/q``, kept exact (:class:`fractions.Fraction`); payoff commas are optional. Repeated labels
are kept as they are in the :class:`~rqe.extensive.ExtensiveGame` (rqe renames them only where it needs
distinct names: the tree's infoset keys and the reduced normal form).

Writing gives every node its full description and numbers infosets (per player) and outcomes ``1, 2, ...`` in
order of first appearance, the form both Gambit and OpenSpiel's ``pyspiel.load_efg_game`` read (OpenSpiel also
needs outcomes on terminal nodes only: :meth:`~rqe.extensive.ExtensiveGame.to_pyspiel` moves them there).
Numbers are written exactly: integers, finite decimals, or ``p/q``. Labels are written as they are; note that
pygambit 17 refuses a file in which two nodes, or two infosets of one player, share a non-empty label (Gambit
16 accepts both).

>>> text = '''EFG 2 R "Coin then guess" { "Guesser" }
... c "" 1 "coin" { "H" 1/2 "T" 1/2 } 0
... p "" 1 1 "guess" { "h" "t" } 0
... t "" 1 "right" { 1 }
... t "" 2 "wrong" { 0 }
... p "" 1 1 0
... t "" 2
... t "" 1'''
>>> game = read_efg_text(text)
>>> game.infosets[0].probabilities
(Fraction(1, 2), Fraction(1, 2))
>>> print(write_efg_text(game), end="")
EFG 2 R "Coin then guess" { "Guesser" }
""
<BLANKLINE>
c "" 1 "coin" { "H" 0.5 "T" 0.5 } 0
p "" 1 1 "guess" { "h" "t" } 0
t "" 1 "right" { 1 }
t "" 2 "wrong" { 0 }
p "" 1 1 "guess" { "h" "t" } 0
t "" 2 "wrong" { 0 }
t "" 1 "right" { 1 }
"""

from __future__ import annotations

from fractions import Fraction

from rqe.errors import GameError
from rqe.extensive import _FLOAT_MAX, CHANCE, ExtensiveGame, Infoset, Node, Outcome
from rqe.io._text import MAX_PAYOFFS, Tokens, check_declared_size, distinct_labels, quote, read_prologue, show

__all__ = ["read_efg_text", "write_efg_text"]


# ---------------------------------------------------------------------------------------------- reading
def read_efg_text(text: str, path: str | None = None, *, max_payoffs: float = MAX_PAYOFFS) -> ExtensiveGame:
    """The :class:`~rqe.extensive.ExtensiveGame` of the text of an ``.efg`` file (module docstring).

    Raises :class:`~rqe.errors.FileFormatError` with the line and column of the first problem, and
    :class:`~rqe.errors.ProblemSizeError` when the nodes would hold more than ``max_payoffs`` payoffs
    (nodes x players), checked as the nodes are read.
    """
    tokens = Tokens(text, path)
    title, players, _ = read_prologue(tokens, "EFG", "2")
    comment = ""
    peeked = tokens.peek()
    if peeked is not None and peeked.kind == "string":
        comment = tokens.next("the comment").text

    reader = _NodeReader(tokens, len(players), max_payoffs)
    nodes = reader.read_tree()
    extra = tokens.peek()
    if extra is not None:
        raise tokens.error(f"unexpected {show(extra)} after the last node of the tree", extra)
    try:
        return ExtensiveGame(title, tuple(distinct_labels(players)), tuple(nodes), tuple(reader.infosets),
                             tuple(reader.outcomes), comment)
    except GameError as exc:  # pragma: no cover - the reader checks everything the constructor does
        raise tokens.error(str(exc)) from None


class _NodeReader:
    """Reads node entries in pre-order, keeping the infoset and outcome tables and the open subtrees."""

    def __init__(self, tokens: Tokens, n_players: int, max_payoffs: float):
        self.tokens = tokens
        self.n_players = n_players
        self.max_payoffs = max_payoffs
        self.infosets: list[Infoset] = []
        self.infoset_index: dict[tuple[int, int], int] = {}
        self.outcomes: list[Outcome] = []
        self.outcome_index: dict[int, int] = {}

    def read_tree(self) -> list[Node]:
        tokens = self.tokens
        nodes: list[Node] = []
        children: list[list[int]] = []
        open_nodes: list[tuple[int, int]] = []  # (node, children still expected)
        while True:
            what = ("the root node ('c', 'p' or 't')" if not nodes else
                    f"node {len(nodes) + 1} ('c', 'p' or 't'): node {open_nodes[-1][0] + 1} needs "
                    f"{open_nodes[-1][1]} more")
            token = tokens.next(what)
            if token.kind != "word" or token.text not in ("c", "p", "t"):
                raise tokens.error(f"expected {what}, found {show(token)}", token)
            label = tokens.expect("string", "the node's name (a quoted string)").text
            if token.text == "t":
                infoset = -1
            else:
                infoset = self._infoset(token.text == "c")
            outcome = self._outcome()
            index = len(nodes)
            nodes.append(Node(label, infoset, outcome))
            if len(nodes) * self.n_players > self.max_payoffs:
                check_declared_size(len(nodes) * self.n_players, self.max_payoffs,
                                    f"at least {len(nodes)} nodes for {self.n_players} players", tokens.path)
            children.append([])
            if open_nodes:
                parent, left = open_nodes.pop()
                children[parent].append(index)
                if left > 1:
                    open_nodes.append((parent, left - 1))
            if infoset >= 0:
                open_nodes.append((index, len(self.infosets[infoset].actions)))
            if not open_nodes:
                break
        return [Node(n.label, n.infoset, n.outcome, tuple(c)) for n, c in zip(nodes, children)]

    def _infoset(self, chance: bool) -> int:
        tokens = self.tokens
        if chance:
            player = CHANCE
        else:
            player, _ = tokens.integer("the player number", 1)
            if player > self.n_players:
                raise tokens.error(f"player {player} does not exist; the game has {self.n_players}", _)
            player -= 1
        number, number_token = tokens.integer("the infoset number", 1)
        peeked = tokens.peek()
        described = peeked is not None and peeked.kind == "string"
        owner = "chance" if chance else f"player {player + 1}"
        key = (player, number)
        if not described:
            if key not in self.infoset_index:
                raise tokens.error(f"infoset {number} of {owner} is used before it is described (its name "
                                   "and actions must come with its first node)", number_token)
            return self.infoset_index[key]
        label = tokens.next("the infoset name").text
        tokens.expect("{", "'{' opening the list of actions")
        actions: list[str] = []
        probabilities: list[Fraction] = []
        while (token := tokens.next("an action name or '}'")).kind != "}":
            if token.kind != "string":
                raise tokens.error(f"expected a quoted action name, found {show(token)}", token)
            actions.append(token.text)
            if chance:
                probability, prob_token = tokens.fraction(f"the probability of chance action {token.text!r}")
                if probability < 0:
                    raise tokens.error(f"chance probabilities must be >= 0, got {probability}", prob_token)
                probabilities.append(probability)
        if not actions:
            raise tokens.error(f"infoset {number} of {owner} has no actions", token)
        if chance and sum(probabilities) != 1:
            raise tokens.error(f"the probabilities of chance infoset {number} sum to {sum(probabilities)}, "
                               "not 1", number_token)
        info = Infoset(player, label, tuple(actions), tuple(probabilities) if chance else None)
        if key in self.infoset_index:
            known = self.infosets[self.infoset_index[key]]
            if known != info:
                raise tokens.error(f"infoset {number} of {owner} is described differently than at its first "
                                   "node", number_token)
            return self.infoset_index[key]
        self.infoset_index[key] = len(self.infosets)
        self.infosets.append(info)
        return len(self.infosets) - 1

    def _outcome(self) -> int:
        tokens = self.tokens
        number, number_token = tokens.integer("the outcome number", 0)
        peeked = tokens.peek()
        described = peeked is not None and peeked.kind == "string"
        if number == 0:
            if described:
                raise tokens.error("the null outcome 0 cannot have a name or payoffs", peeked)
            return -1
        if not described:
            if number not in self.outcome_index:
                raise tokens.error(f"outcome {number} is used before it is described (its name and payoffs "
                                   "must come with its first use)", number_token)
            return self.outcome_index[number]
        label = tokens.next("the outcome name").text
        tokens.expect("{", f"'{{' opening the payoffs of outcome {number}")
        payoffs = []
        for i in range(self.n_players):
            if i > 0:
                peeked = tokens.peek()
                if peeked is not None and peeked.kind == ",":
                    tokens.next("','")
            payoff, payoff_token = tokens.fraction(f"the payoff of player {i + 1} in outcome {number}")
            if abs(payoff) > _FLOAT_MAX:
                raise tokens.error(f"the payoff of player {i + 1} in outcome {number} is outside the float64 "
                                   "range", payoff_token)
            payoffs.append(payoff)
        tokens.expect("}", f"'}}' closing outcome {number} (it must have {self.n_players} payoffs)")
        outcome = Outcome(label, tuple(payoffs))
        if number in self.outcome_index:
            if self.outcomes[self.outcome_index[number]] != outcome:
                raise tokens.error(f"outcome {number} is described differently than at its first use",
                                   number_token)
            return self.outcome_index[number]
        self.outcome_index[number] = len(self.outcomes)
        self.outcomes.append(outcome)
        return len(self.outcomes) - 1


# ---------------------------------------------------------------------------------------------- writing
def format_fraction(value: Fraction) -> str:
    """Exact text of a fraction: an integer, a finite decimal, or ``p/q``.

    >>> print(*(format_fraction(Fraction(x)) for x in ("3", "-1/4", "1/3", "0.1")))
    3 -0.25 1/3 0.1
    """
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    d, twos, fives = value.denominator, 0, 0
    while d % 2 == 0:
        d, twos = d // 2, twos + 1
    while d % 5 == 0:
        d, fives = d // 5, fives + 1
    if d != 1 or max(twos, fives) > 40:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = abs(value.numerator) * 10**digits // value.denominator
    sign = "-" if value < 0 else ""
    whole, frac = divmod(scaled, 10**digits)
    return f"{sign}{whole}.{str(frac).rjust(digits, '0').rstrip('0')}"


def write_efg_text(game: ExtensiveGame) -> str:
    """The ``.efg`` text of ``game`` (module docstring: full descriptions, canonical numbering)."""
    if not isinstance(game, ExtensiveGame):
        raise GameError(f"expected an ExtensiveGame, got {type(game).__name__}")
    lines = [f"EFG 2 R {quote(game.title)} {{ " + " ".join(quote(p) for p in game.player_names) + " }",
             quote(game.comment), ""]
    infoset_number: dict[int, int] = {}
    per_player: dict[int, int] = {}
    outcome_number: dict[int, int] = {}
    stack = [0]
    while stack:
        k = stack.pop()
        node = game.nodes[k]
        parts = []
        if node.children:
            info = game.infosets[node.infoset]
            if node.infoset not in infoset_number:
                per_player[info.player] = per_player.get(info.player, 0) + 1
                infoset_number[node.infoset] = per_player[info.player]
            number = infoset_number[node.infoset]
            if info.player == CHANCE:
                actions = " ".join(f"{quote(a)} {format_fraction(p)}"
                                   for a, p in zip(info.actions, info.probabilities))
                parts.append(f"c {quote(node.label)} {number} {quote(info.label)} {{ {actions} }}")
            else:
                actions = " ".join(quote(a) for a in info.actions)
                parts.append(f"p {quote(node.label)} {info.player + 1} {number} {quote(info.label)} "
                             f"{{ {actions} }}")
        else:
            parts.append(f"t {quote(node.label)}")
        if node.outcome < 0:
            parts.append("0")
        else:
            if node.outcome not in outcome_number:
                outcome_number[node.outcome] = len(outcome_number) + 1
            outcome = game.outcomes[node.outcome]
            payoffs = ", ".join(format_fraction(u) for u in outcome.payoffs)
            parts.append(f"{outcome_number[node.outcome]} {quote(outcome.label)} {{ {payoffs} }}")
        lines.append(" ".join(parts))
        stack.extend(reversed(node.children))
    return "\n".join(lines) + "\n"
