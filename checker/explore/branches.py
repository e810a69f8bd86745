"""Which branch a node of the Optimal-DPOR search explores next (`Dpor`, checker/explore/dpor.py).

A node's steps are computed once (`outcomes`, `access`: kept in the state's `Info`, known.py);
its wake-up tree is explored leftmost first (`next_child`), a branch that is a thread's next
step with any outcome expanding into that step's outcomes; a step with several outcomes (an
internal fork) has every outcome explored (`add_siblings`). Uses `e`, `dep`, `code`, `stats`
and `propose` of the search.
"""
from __future__ import annotations

from checker.explore.dependence import Dependence, footprint
from checker.explore.search import Stats
from checker.explore.semantics import Engine
from checker.explore.wakeup import Node, covering, key_of


class Branches:
    e: Engine
    dep: Dependence
    code: list
    stats: Stats

    def outcomes(self, node: Node, t: int) -> list:
        """Thread t's step from this node, [[event key, Outcome, the next state's Info or None
        (known.py)]]: computed once. A step that `assume` discards on every path has no
        outcome; then t cannot move here, as if it were blocked."""
        outs = node.info.outcomes.get(t)
        if outs is None:
            outs = node.info.outcomes[t] = [[key_of(t, o), o, None] for o in self.e.step(node.state, t)]
            self.stats.solver_calls = self.e.solver.calls
        if not outs:
            if node.assumed is None:
                node.assumed = set()
            if t not in node.assumed:
                node.assumed.add(t)
                self.stats.assumed += 1
        return outs

    def next_child(self, node: Node):
        """The leftmost branch of the wake-up tree; when it is empty, one enabled thread that is
        not asleep (every outcome of its step: an internal fork is a choice, not a race)."""
        wut, sleep = node.wut, node.sleep
        while wut:
            child = wut[0]
            key = child[0]
            if key[1] is None:  # a thread's next step, with any outcome: expand it
                wut.pop(0)
                key_fp = self.footprint(node, key[0])
                expanded, covers = [], False
                for k, o, _ in self.outcomes(node, key[0]):  # (loops: the search's hot path)
                    fp = covering(o, key_fp)
                    covers = covers or fp is not None
                    if k not in sleep:
                        for c in wut:
                            if c[0] == k:
                                break
                        else:
                            expanded.append([k, fp, []])
                wut[0:0] = expanded
                if not covers:
                    for v in child[3]:  # it ends the run or is discarded: it covered nothing
                        self.propose(node, v)
                continue
            if key in sleep:
                wut.pop(0)
                continue
            outs = node.info.outcomes.get(key[0])
            if outs is None or len(outs) > 1:
                self.add_siblings(node, key[0])  # computes them
            return child
        if node.explored:
            return None
        for t in node.info.enabled:
            outs = node.info.outcomes.get(t) or self.outcomes(node, t)
            for k, o, _ in outs:
                if k not in sleep:  # (`covering`, inline)
                    wut.append([k, None if o.violation is not None or o.cut is not None else self.footprint(node, t), []])
            if wut:
                if len(outs) > 1:
                    self.add_siblings(node, t)
                return wut[0]
        return None

    def add_siblings(self, node: Node, t: int, every: bool = False) -> None:
        """Every other outcome of thread t's step here is explored too (internal nondeterminism);
        with `every`, each outcome of t's step (the run ended here: t's steps race with its end)."""
        outs = self.outcomes(node, t)
        if len(outs) < 2 and not every:
            return
        present = {c[0] for c in node.wut}
        for k, o, _ in outs:
            if k not in node.sleep and k not in present:
                node.wut.append([k, covering(o, self.footprint(node, t)), []])
                present.add(k)

    def access(self, node: Node, t: int) -> tuple:
        """The accesses of thread t's next step from this node (computed once, with their
        footprint)."""
        info = node.info
        acc = info.access.get(t)
        if acc is None:
            acc = info.access[t] = self.dep.pending(self.code[t], node.state, t)
            info.fp[t] = footprint(acc)
        return acc

    def footprint(self, node: Node, t: int) -> tuple:
        """The footprint of thread t's next step from this node (`dependence.footprint`)."""
        fp = node.info.fp.get(t)
        if fp is None:
            self.access(node, t)
            fp = node.info.fp[t]
        return fp
