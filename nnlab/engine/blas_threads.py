"""How many threads each matrix product may use.

On these 2-core machines a small product runs faster on one thread — waking a second
costs more than it saves — while a big one gains from two: measured on MNIST 784-128-64-10,
one thread everywhere was best at batch 64 (0.54 s/epoch against 0.61 s with the first
layer on two), and at batch 256 two threads for the first layer only gave 0.29 s against
0.35 s on one. So the trainer picks a thread count per product. threadpoolctl gives direct access to the BLAS library's setter (a ~1 µs call);
without it, or without a BLAS it knows, everything simply runs with the library's default.
"""
from __future__ import annotations

BIG_PRODUCT = 16_000_000  # multiply-adds from which a second thread pays off (measured)

_library = None
_original_threads = 1
_searched = False


def _blas_library():
    """The BLAS controller, and its thread count as the process started (read once)."""
    global _library, _original_threads, _searched
    if not _searched:
        _searched = True
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # optional: only speed depends on it
            return None
        found = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
        _library = found[0] if found else None
        _original_threads = _library.num_threads if _library else 1
    return _library


class BlasThreads:
    """Switches the BLAS thread count between products; ``restore()`` puts the original back.

    The library is only called when the count really changes: OpenBLAS's setter is not
    thread-safe, and a call while another thread multiplies matrices can crash or hang the
    process (seen in the window, whose GUI thread runs predictions while a worker trains).
    A process started with one BLAS thread (the window's) therefore never calls it, and a fixed
    count (``fixed``: the window's trainer keeps the count its process started with) is used for
    every product whatever is asked. A CNN's step asks for one thread (``single``): its two halves
    of the batch then multiply at once, each on its own core (conv_batch_step.py).
    """

    def __init__(self, fixed: int | None = None):
        self._library = _blas_library()
        self.original = _original_threads
        self.most = fixed or self.original
        self.fixed = fixed
        self.current = self.original

    def threads_for(self, multiply_adds: int) -> int:
        if self.fixed:
            return self.fixed
        return self.most if multiply_adds >= BIG_PRODUCT else 1

    def use(self, threads: int) -> None:
        """``threads`` for the next products — or the fixed count, whatever is asked."""
        self._set(self.fixed or threads)

    def single(self) -> bool:
        """One thread from here on, unless the count is fixed; True when products now run on one thread
        (two threads of ours may then multiply at once, each on its own core)."""
        self.use(1)
        return self.current == 1

    def restore(self) -> None:
        self._set(self.original)

    def _set(self, threads: int) -> None:
        if threads != self.current and self._library is not None:
            self._library.set_num_threads(threads)
            self.current = threads
