"""Hanabi (OpenSpiel's ``hanabi``, the Hanabi Learning Environment) as a batched SRPO environment.

The paper evaluates SRPO on 4-player Hanabi with 3 colours and 3 ranks, one risk-averse policy shared by every
seat and one adversary on a seat drawn at random each rollout (``docs/rqe-math.md`` section 8; [QZLM Sec. 5];
paper settings tau = 0.01, eps = 0.001). The game is [BFC+20]'s, as OpenSpiel ships it (``pyspiel.load_game(
"hanabi", {...})``); defaults here are ``colors=3, ranks=3, players=4`` and OpenSpiel's defaults for the rest
(``hand_size`` 5 for 2-3 players and 4 for 4-5, ``max_information_tokens`` 8, ``max_life_tokens`` 3,
``observation_type`` card knowledge); the paper names only colours, ranks and players. With 3 x 3 the deck has
18 cards (three 1s, two 2s, one 3 of each colour) and the best score is 9.

Hanabi is turn-based; rqe's environments are simultaneous-move (``docs`` of :mod:`rqe.srpo.envs`). The adaptation:

* every seat acts every step; the action set is OpenSpiel's ``num_distinct_actions()`` moves plus one extra
  *wait* action (index :attr:`Hanabi.wait_action`, the last one). The seat whose turn it is must choose a legal
  move; every other seat's action is ignored (a no-op) and its legal-action mask allows only *wait*, so a masked
  policy samples *wait* with probability 1 there (log-probability 0: no gradient flows from it);
* ``legal_mask()`` (also ``Step.legal_mask``) is a bool tensor ``(n_agents, n_envs, n_actions)``: mask logits with
  ``logits.masked_fill(~mask, -inf)`` (or ``-1e9``) before sampling; every row has at least one legal action;
* observation of seat ``p``: OpenSpiel's ``observation_tensor(p)`` (the HLE canonical encoding from ``p``'s own
  perspective: others' hands, board, discards, last move, card knowledge) followed by one flag, 1 when it is
  ``p``'s turn; the global state is all seats' observations concatenated;
* rewards: OpenSpiel's per-move reward (the change of the score; losing the last life token takes the whole score
  back, a negative reward), the same for every seat (a shared reward); there are no private costs;
* a copy whose game ends is reset at once (``Step.done`` true for it); episodes have different lengths, so
  :attr:`Hanabi.horizon` is ``None`` (the longest game is ``max_episode_length`` moves).

Chance (the deck) is sampled from the ``torch.Generator`` passed in (one 63-bit seed drawn from it per call seeds
the draws of that call). :attr:`Hanabi.last_history` keeps each copy's last finished game as OpenSpiel actions,
so a game can be replayed in OpenSpiel (the tests check returns that way). Each copy is a ``pyspiel`` state
stepped in a Python loop (see ``docs/api/srpo-envs.md`` for its throughput).

Policy sharing for N > 2 players is the trainer's (:mod:`rqe.srpo.algorithms`, ``docs/rqe-math.md`` section 8:
one shared policy in every seat, SRPO's adversary on one seat drawn per copy and rollout, IPPO/MAPPO sharing one
policy as the baseline): the environment gives every seat its own-perspective observation of the same size,
``current_player()`` and the masks, so one shared policy can act for every seat and any seat can be handed to an
adversary. Held-out evaluation (:func:`rqe.srpo.evaluate.heldout_values`) seats a trained policy with
:func:`hanabi_partners` in every other seat.

:class:`HanabiRuleBot` is a scripted partner (play a card known to be playable, else hint a teammate's playable
card, else discard the oldest card) that reads the observation tensor (layout in :class:`HanabiLayout`).

References: [BFC+20] N. Bard, J. Foerster, S. Chandar et al., *The Hanabi Challenge: A New Frontier for AI
Research*, Artificial Intelligence 280, 2020. [QZLM] C. Qu, Y. Zhang, N. Lanzetti, E. Mazumdar, *Training
Generalizable Collaborative Agents via Strategic Risk Aversion*, arXiv 2602.21515, 2026.

>>> import torch
>>> env = Hanabi(n_envs=3, players=2)
>>> g = torch.Generator().manual_seed(0)
>>> env.reset(g).shape, env.legal_mask().shape          # (seats, copies, 278 + turn flag), 16 moves + wait
(torch.Size([2, 3, 279]), torch.Size([2, 3, 17]))
>>> logits = torch.zeros(2, 3, 17).masked_fill(~env.legal_mask(), float("-inf"))
>>> step = env.step(torch.distributions.Categorical(logits=logits).sample(), g)
>>> step.rewards.shape, step.legal_mask.shape
(torch.Size([2, 3]), torch.Size([2, 3, 17]))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rqe._validation import positive_int
from rqe.errors import ParameterError
from rqe.srpo.networks import FixedPolicy
from rqe.srpo._torch import resolve_device, torch
from rqe.srpo.envs import Step

__all__ = ["Hanabi", "HanabiStep", "HanabiLayout", "HanabiRuleBot", "hanabi_partners", "load_hanabi_game"]


@dataclass
class HanabiStep(Step):
    """A :class:`~rqe.srpo.envs.Step` with the legal-action masks of the new observations."""

    legal_mask: Any = None


def load_hanabi_game(players: int = 4, colors: int = 3, ranks: int = 3, **params: Any) -> Any:
    """``pyspiel.load_game("hanabi", ...)`` with rqe's defaults (the paper's 3 x 3 variant); needs open_spiel.

    Other keys (``hand_size``, ``max_information_tokens``, ``max_life_tokens``, ``observation_type``) are passed
    to OpenSpiel unchanged.
    """
    from rqe._optional import require

    pyspiel = require("pyspiel", "openspiel", "the Hanabi environment (OpenSpiel's hanabi)")
    values = {"players": positive_int(players, "players", 2, 5), "colors": positive_int(colors, "colors", 1, 5),
              "ranks": positive_int(ranks, "ranks", 1, 5)}
    allowed = {"hand_size", "max_information_tokens", "max_life_tokens", "observation_type", "random_start_player"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ParameterError(f"unknown Hanabi parameter(s) {unknown}; expected some of {sorted(allowed)}")
    for key, low in (("hand_size", 1), ("max_information_tokens", 0), ("max_life_tokens", 1)):
        if key in params:
            params[key] = positive_int(params[key], key, low, 64)
    if "random_start_player" in params and not isinstance(params["random_start_player"], bool):
        raise ParameterError(f"random_start_player must be True or False, got {params['random_start_player']!r}")
    values.update(params)
    # OpenSpiel aborts the process (no exception) when the hands cannot be dealt: check first
    P, C, R = values["players"], values["colors"], values["ranks"]
    hand = int(values.get("hand_size", 5 if P < 4 else 4))
    deck = C * sum(3 if r == 0 else (1 if r == R - 1 else 2) for r in range(R))
    if hand < 1 or P * hand > deck:
        raise ParameterError(f"Hanabi with {P} players, hand_size {hand} needs {P * hand} cards but the deck of "
                             f"{C} colours x {R} ranks has {deck}")
    try:
        return pyspiel.load_game("hanabi", values)
    except pyspiel.SpielError as exc:
        raise ParameterError(f"OpenSpiel refused Hanabi parameters {values}: {exc}") from None


class Hanabi:
    """``n_envs`` OpenSpiel Hanabi games stepped together behind rqe's simultaneous-move interface.

    See the module docstring for the turn-taking adaptation (a *wait* action), masks, observations and rewards.
    ``seed`` seeds the environment's own generator, used only when ``reset``/``step`` get no generator.
    """

    private_costs = False      # a shared score only

    def __init__(self, n_envs: int = 64, players: int = 4, colors: int = 3, ranks: int = 3, device: Any = "cpu",
                 seed: int = 0, **params: Any):
        self.game = load_hanabi_game(players, colors, ranks, **params)
        self.n_envs = positive_int(n_envs, "n_envs")
        self.device = resolve_device(device)
        self.n_agents = int(self.game.num_players())
        self.n_moves = int(self.game.num_distinct_actions())
        self.wait_action = self.n_moves
        self.n_actions = (self.n_moves + 1,) * self.n_agents
        self.tensor_size = int(self.game.observation_tensor_size())
        self.obs_dim = self.tensor_size + 1
        self.state_dim = self.obs_dim * self.n_agents
        self.horizon = None
        self.max_episode_length = int(self.game.max_game_length())
        self.max_score = int(round(self.game.max_utility()))
        self.layout = HanabiLayout.from_game(self.game)
        self._generator = torch.Generator().manual_seed(int(seed))
        self.states: list[Any] = []
        self.last_history: list[list[int] | None] = [None] * self.n_envs
        self._obs = np.zeros((self.n_agents, self.n_envs, self.obs_dim), dtype=np.float32)
        self._mask = np.zeros((self.n_agents, self.n_envs, self.n_moves + 1), dtype=bool)

    # -- randomness: one seed drawn from the torch generator per call, then numpy draws for the deck
    def _rng(self, generator: Any) -> np.random.Generator:
        gen = generator if generator is not None else self._generator
        seed = int(torch.randint(0, 2 ** 62, (1,), generator=gen, device=gen.device))
        return np.random.default_rng(seed)

    @staticmethod
    def _resolve_chance(state: Any, rng: np.random.Generator) -> None:
        while state.is_chance_node():
            outcomes, probs = zip(*state.chance_outcomes())
            k = int(np.searchsorted(np.cumsum(probs), rng.random() * sum(probs), side="right"))
            state.apply_action(outcomes[min(k, len(outcomes) - 1)])

    def _new_state(self, rng: np.random.Generator) -> Any:
        state = self.game.new_initial_state()
        self._resolve_chance(state, rng)
        return state

    def _write(self, e: int) -> None:
        state = self.states[e]
        mover = state.current_player()
        for p in range(self.n_agents):
            self._obs[p, e, : self.tensor_size] = state.observation_tensor(p)
            self._obs[p, e, self.tensor_size] = float(p == mover)
        self._mask[:, e] = False
        self._mask[:, e, self.wait_action] = True
        self._mask[mover, e, self.wait_action] = False
        self._mask[mover, e, state.legal_actions(mover)] = True

    def _observation(self) -> Any:
        return torch.as_tensor(self._obs.copy(), device=self.device)

    def reset(self, generator: Any = None) -> Any:
        rng = self._rng(generator)
        self.states = [self._new_state(rng) for _ in range(self.n_envs)]
        for e in range(self.n_envs):
            self._write(e)
        return self._observation()

    def legal_mask(self) -> Any:
        """Legal actions at the current observations, bool ``(n_agents, n_envs, n_actions)`` (see module doc)."""
        return torch.as_tensor(self._mask.copy(), device=self.device)

    def current_player(self) -> Any:
        """The seat whose turn it is in each copy, long tensor ``(n_envs,)``."""
        return torch.as_tensor([s.current_player() for s in self.states], dtype=torch.long, device=self.device)

    def state(self) -> Any:
        return torch.as_tensor(self._obs.transpose(1, 0, 2).reshape(self.n_envs, -1).copy(), device=self.device)

    def step(self, actions: Any, generator: Any = None, noise: Any = None) -> HanabiStep:
        if not self.states:
            raise ParameterError("call reset() before step()")
        actions = np.asarray(torch.as_tensor(actions).cpu())
        if actions.shape != (self.n_agents, self.n_envs):
            raise ParameterError(f"actions must have shape {(self.n_agents, self.n_envs)}, got {actions.shape}")
        rng = self._rng(generator)
        rewards = np.zeros((self.n_agents, self.n_envs), dtype=np.float32)
        done = np.zeros(self.n_envs, dtype=bool)
        for e, state in enumerate(self.states):
            mover = state.current_player()
            move = int(actions[mover, e])
            if not (0 <= move < self.n_moves and self._mask[mover, e, move]):
                raise ParameterError(f"copy {e}: seat {mover} is to move and {move} is not a legal move there "
                                     f"(legal: {state.legal_actions(mover)}); mask logits with legal_mask()")
            state.apply_action(move)
            rewards[:, e] = state.rewards()
            self._resolve_chance(state, rng)
            if state.is_terminal():
                done[e] = True
                self.last_history[e] = list(state.history())
                self.states[e] = self._new_state(rng)
            self._write(e)
        to = lambda x: torch.as_tensor(x, device=self.device)  # noqa: E731
        return HanabiStep(obs=self._observation(), rewards=to(rewards), costs=to(np.zeros_like(rewards)),
                          done=to(done), legal_mask=self.legal_mask())


# ---------------------------------------------------------------------------------------------- observation layout
@dataclass(frozen=True)
class HanabiLayout:
    """Offsets of the HLE canonical observation tensor (card-knowledge type) of OpenSpiel's ``hanabi``.

    Sections, in order [BFC+20, HLE ``canonical_encoders.cc``]: others' hands (``(P-1) H`` one-hot cards of
    ``C R`` bits, card index ``colour * R + rank``) and ``P`` missing-card flags; board (deck-size thermometer,
    fireworks as ``C`` one-hots of ``R`` bits, information and life thermometers); discards (``D`` bits); last
    move (``2P + 4 + C + R + 2H + C R + 2`` bits); card knowledge (``P H`` cards of ``C R`` plausible-card bits,
    ``C`` revealed-colour and ``R`` revealed-rank bits; the observer first, then the others in seat order).
    :meth:`from_game` checks that the sections add up to OpenSpiel's tensor size.
    """

    players: int
    colors: int
    ranks: int
    hand_size: int
    max_info: int
    max_life: int
    deck_size: int

    @classmethod
    def from_game(cls, game: Any) -> HanabiLayout:
        params = game.get_parameters()
        P, C, R = int(params["players"]), int(params["colors"]), int(params["ranks"])
        H = int(params.get("hand_size", 0)) or (5 if P < 4 else 4)
        deck = C * sum(3 if r == 0 else (1 if r == R - 1 else 2) for r in range(R))
        layout = cls(P, C, R, H, int(params.get("max_information_tokens", 8)), int(params.get("max_life_tokens", 3)),
                     deck)
        kind = str(params.get("observation_type", "card_knowledge")).lower()
        if kind in ("card_knowledge", "1") and layout.size != game.observation_tensor_size():
            raise ParameterError(f"Hanabi observation layout has {layout.size} entries, OpenSpiel's tensor "
                                 f"{game.observation_tensor_size()}: unsupported OpenSpiel version")
        return layout

    @property
    def card_bits(self) -> int:
        return self.colors * self.ranks

    @property
    def fireworks(self) -> int:
        """Offset of the fireworks block (``C`` groups of ``R`` bits)."""
        return (self.players - 1) * self.hand_size * self.card_bits + self.players + (
            self.deck_size - self.players * self.hand_size)

    @property
    def info(self) -> int:
        return self.fireworks + self.card_bits

    @property
    def knowledge(self) -> int:
        """Offset of the card-knowledge section."""
        discards = self.info + self.max_info + self.max_life
        last_move = 2 * self.players + 4 + self.colors + self.ranks + 2 * self.hand_size + self.card_bits + 2
        return discards + self.deck_size + last_move

    @property
    def size(self) -> int:
        return self.knowledge + self.players * self.hand_size * (self.card_bits + self.colors + self.ranks)

    def hand_card(self, relative: int, slot: int) -> int:
        """Offset of the one-hot card of ``slot`` in the hand of the player ``relative`` seats after the observer."""
        return ((relative - 1) * self.hand_size + slot) * self.card_bits

    def plausible(self, relative: int, slot: int) -> int:
        """Offset of the plausible-card bits of a card (``relative`` 0 is the observer's own hand)."""
        return self.knowledge + (relative * self.hand_size + slot) * (self.card_bits + self.colors + self.ranks)

    # OpenSpiel's move ids: discard 0..H-1, play H..2H-1, reveal colour, then reveal rank, per target offset
    def discard(self, slot: int) -> int:
        return slot

    def play(self, slot: int) -> int:
        return self.hand_size + slot

    def reveal_color(self, relative: int, color: int) -> int:
        return 2 * self.hand_size + (relative - 1) * self.colors + color

    def reveal_rank(self, relative: int, rank: int) -> int:
        return 2 * self.hand_size + (self.players - 1) * self.colors + (relative - 1) * self.ranks + rank


class HanabiRuleBot(torch.nn.Module):
    """A scripted Hanabi partner: play if known playable, else hint a playable card, else discard the oldest.

    Reads :class:`Hanabi` observations (``obs`` of shape ``(..., obs_dim)``). In order of preference:

    1. play the first own card all of whose plausible identities are playable on the fireworks;
    2. with an information token left, hint the nearest teammate holding a playable card that they do not yet
       know to be playable: its rank if not yet revealed, else its colour;
    3. discard the oldest card (slot 0); 4. any hint; 5. play slot 0.

    Returns preference logits (steps 100 apart, so that after masking with the legal actions the most preferred
    legal move is sampled with probability ``1 - O(e^-100)``); when it is not the seat's turn, *wait*.

    >>> import torch
    >>> env = Hanabi(n_envs=2, players=2)
    >>> obs = env.reset(torch.Generator().manual_seed(0))
    >>> bot = HanabiRuleBot(env.layout)
    >>> logits = bot(obs[0]).masked_fill(~env.legal_mask()[0], float("-inf"))
    >>> logits.shape
    torch.Size([2, 17])
    """

    def __init__(self, layout: HanabiLayout):
        super().__init__()
        self.layout = layout
        self.n_moves = 2 * layout.hand_size + (layout.players - 1) * (layout.colors + layout.ranks)
        self.n_actions = self.n_moves + 1

    def _playable(self, fireworks: np.ndarray, plausible: np.ndarray) -> bool:
        cards = np.flatnonzero(plausible > 0.5)
        return cards.size > 0 and all(fireworks[c // self.layout.ranks] == c % self.layout.ranks for c in cards)

    def choose(self, obs: np.ndarray) -> list[int]:
        """Moves in order of preference for one observation (empty when it is not this seat's turn)."""
        lay = self.layout
        if obs[-1] < 0.5:
            return []
        fw_bits = obs[lay.fireworks: lay.fireworks + lay.card_bits].reshape(lay.colors, lay.ranks)
        fireworks = np.where(fw_bits.any(1), fw_bits.argmax(1) + 1, 0)      # next rank needed = cards played
        info = int(obs[lay.info: lay.info + lay.max_info].sum())
        width = lay.card_bits
        prefs: list[int] = []
        for slot in range(lay.hand_size):
            start = lay.plausible(0, slot)
            if self._playable(fireworks, obs[start: start + width]):
                prefs.append(lay.play(slot))
                break
        if info > 0:
            for rel in range(1, lay.players):
                for slot in range(lay.hand_size):
                    card = obs[lay.hand_card(rel, slot): lay.hand_card(rel, slot) + width]
                    if card.max() < 0.5:
                        continue
                    c = int(card.argmax())
                    color, rank = divmod(c, lay.ranks)
                    start = lay.plausible(rel, slot)
                    if fireworks[color] != rank or self._playable(fireworks, obs[start: start + width]):
                        continue
                    rank_known = obs[start + width + lay.colors + rank] > 0.5
                    prefs.append(lay.reveal_color(rel, color) if rank_known else lay.reveal_rank(rel, rank))
                    break
                else:
                    continue
                break
        prefs.append(lay.discard(0))
        prefs.extend(lay.reveal_color(rel, c) for rel in range(1, lay.players) for c in range(lay.colors))
        prefs.extend(lay.reveal_rank(rel, r) for rel in range(1, lay.players) for r in range(lay.ranks))
        prefs.append(lay.play(0))
        return prefs

    def forward(self, obs: Any) -> Any:
        flat = obs.reshape(-1, obs.shape[-1]).detach().cpu().numpy()
        logits = np.full((flat.shape[0], self.n_actions), -1e9, dtype=np.float32)
        for row, o in enumerate(flat):
            prefs = self.choose(o)
            if not prefs:
                logits[row, self.n_moves] = 0.0
            seen: set[int] = set()
            for rank, move in enumerate(prefs):
                if move not in seen:
                    seen.add(move)
                    logits[row, move] = -100.0 * len(seen) + 100.0
        return torch.as_tensor(logits, device=obs.device).reshape(*obs.shape[:-1], self.n_actions)


def hanabi_partners(env: Hanabi) -> dict[str, Any]:
    """Scripted partners for held-out evaluation: ``rule_bot`` and ``random`` (uniform over legal moves once the
    caller masks the logits with ``legal_mask()``).

    >>> sorted(hanabi_partners(Hanabi(n_envs=1, players=2)))
    ['random', 'rule_bot']
    """
    return {"rule_bot": HanabiRuleBot(env.layout), "random": FixedPolicy(env.n_actions[0])}
