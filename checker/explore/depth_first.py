"""The reduced stateful search: depth-first, each new state expanded with a persistent set.

`DepthFirst` is the part of `Stateful` (checker/explore/stateful.py) that runs with
`reduce=True`: it walks the state graph depth-first, stores each state once, and expands a
new state with the steps of a persistent set of its enabled threads when one passes the
provisos (`checker/explore/persistent.py` proposes the candidates), else with every enabled
thread. It reads and writes the search's `visited` (key -> state), `reduced` and `stats`,
and uses `bounded`, `persistent`, `arrive`, `outcomes` and `starts` of the search.
"""
from __future__ import annotations

from checker.explore.persistent import Persistent
from checker.explore.search import Stats


class _Frame:
    __slots__ = ("children", "depth")

    def __init__(self, children, depth):
        self.children, self.depth = children, depth


class DepthFirst:
    visited: dict
    bounded: bool
    reduced: int
    persistent: Persistent
    stats: Stats

    # -- depth-first with persistent sets ------------------------------------------------
    def depth_first(self) -> None:
        for state, start in self.starts():
            path: list = []
            stack = [f for f in [self.enter(state, state.key(self.bounded), path)] if f]
            while stack:
                f = stack[-1]
                if f.children:
                    child, ck, t, choices = f.children.pop()
                    del path[f.depth:]
                    path.append((t, choices))
                    g = self.enter(child, ck, path)
                    if g:
                        stack.append(g)
                    continue
                stack.pop()

    def enter(self, s, k, path: list):
        """Visit s (key k) along path; a frame if it is new and has successors to explore."""
        if k in self.visited:
            return None
        self.visited[k] = s
        en = self.arrive(s, path, k)
        if not en:
            return None
        children = self.expand(s, en, path)
        if not children:
            return None
        children.reverse()
        return _Frame(children, len(path))

    def expand(self, s, en: list, path: list) -> list:
        """The successors to explore: those of a persistent set of threads that passes the
        provisos, else those of every enabled thread. Outcomes are computed once per thread."""
        done: dict = {}

        def successors(t):
            if t not in done:
                kids, clean = self.outcomes(s, t, path)
                done[t] = [(o.state, o.state.key(self.bounded), t, o.choices) for o in kids], clean
            return done[t]

        for E in self.persistent.candidates(s, en):
            ok = True
            for t in E:
                if not successors(t)[1]:  # a violation, a cut, or no way through: not this set
                    ok = False
                    break
            if ok:
                self.reduced += 1
                chosen = E
                break
        else:
            chosen = en
        children = [kid for t in chosen for kid in successors(t)[0]]
        self.stats.transitions += len(children)
        return children
