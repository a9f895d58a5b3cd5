"""Structural comparison of two game trees (rqe.openspiel.tree.GameTree), independent of how each numbers its
nodes, infosets and actions: the terminal histories as paths of action names (chance edges by position) with
their chance reach and payoffs, and the partition of decision nodes into infosets with their owners."""

import numpy as np

from rqe.openspiel.tree import CHANCE, DECISION, TERMINAL


def tree_signature(tree, digits=12):
    leaves = {}
    infosets = {}
    stack = [(0, (), 1.0)]
    while stack:
        h, path, reach = stack.pop()
        kind = int(tree.kind[h])
        if kind == TERMINAL:
            leaves[path] = (round(reach, digits), tuple(np.round(tree.returns[h], digits).tolist()))
            continue
        first, count = int(tree.first_edge[h]), int(tree.n_edges[h])
        if kind == DECISION:
            I = int(tree.infoset[h])
            infosets.setdefault(I, set()).add(path)
            names = tree.infoset_action_names[I]
            for e in range(first, first + count):
                slot = int(tree.edge_slot[e]) - int(tree.offsets[I])
                stack.append((int(tree.edge_child[e]), path + (names[slot],), reach))
        else:
            assert kind == CHANCE
            for k, e in enumerate(range(first, first + count)):
                stack.append((int(tree.edge_child[e]), path + (f"chance#{k}",), reach * float(tree.edge_prob[e])))
    partition = {(int(tree.infoset_player[I]), frozenset(paths)) for I, paths in infosets.items()}
    return leaves, partition
