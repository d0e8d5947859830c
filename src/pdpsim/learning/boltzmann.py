"""Deterministic (mean-field) Boltzmann machines: annealing, settling and the contrastive rule.

A unit's output a moves toward the logistic of its net input n at the current gain (the
inverse temperature), by the step dt, while the gain is annealed from ``init_gain`` to
``final_gain``; a network settles twice on each event, first with its targets clamped (the
positive phase, +), then free (the negative phase, -), and each link i -> j learns from the
difference of the two co-activations:

- annealing:  g(t) = g_final + (g_init - g_final) 0.5^(t / (annealTime ticksPerInterval)),
  t the ticks since the phase began (the gain halves its distance to g_final every
  ``annealTime`` intervals);
- settling:   a <- a + dt (1 / (1 + exp(-g n)) - a);
- settled:    every free unit moved no more than the criterion on the last tick;
- release:    between the phases an unclamped unit's output goes ``strength`` of the way
  back to its initial output: a <- init strength + a (1 - strength);
- the rule:   dE/dw_ij = a_i^- a_j^- - a_i^+ a_j^+, so that a descent step
  dw_ij = -eps dE/dw_ij = eps (<a_i a_j>+ - <a_i a_j>-) (Hinton's contrastive rule, summed over
  the examples of a batch; the weight update itself is :func:`pdpsim.learning.rules.weight_change`).

These are Lens's BOLTZMANN networks' formulas (Src/act.c: boltzmannOutput,
boltzmannInputBack, boltzmannNetTrainExample, resetBoltzmannOutputs), written in Lens's order
of operations so that the Lens shell (:mod:`pdpsim.lens.boltzmann`) gives Lens's numbers.
"""
from __future__ import annotations

import numpy as np


def annealed_gain(ticks, init_gain, final_gain, anneal_time, ticks_per_interval):
    """The gain ``ticks`` ticks into a phase: g_final + (g_init - g_final) 0.5^(t / (T k))."""
    return final_gain + (init_gain - final_gain) * 0.5 ** (ticks / (anneal_time * ticks_per_interval))


def boltzmann_logistic(n, gain):
    """The settling target 1 / (exp(-n g) + 1) (Lens's exact SIGMOID, not its table)."""
    with np.errstate(over="ignore"):
        return 1.0 / (np.exp(-n * gain) + 1.0)


def settle_step(a, n, gain, dt):
    """One settling tick: a + dt (logistic(g n) - a)."""
    return a + dt * (boltzmann_logistic(n, gain) - a)


def settled(a, last, criterion) -> bool:
    """Whether no output moved by more than ``criterion`` (|a - last| <= criterion everywhere)."""
    return not bool(np.any(np.abs(a - last) > criterion))


def release(a, init_output, strength):
    """Between the phases: init strength + a (1 - strength) (a clamp of ``strength`` toward the
    initial output)."""
    return init_output * strength + a * (1.0 - strength)


def link_deriv(send_minus, recv_minus, send_plus, recv_plus):
    """dE/dw for the links from the senders (rows) to the receivers (columns):
    a_send^- a_recv^- - a_send^+ a_recv^+ (minus-phase co-activation less the plus phase's)."""
    return np.multiply.outer(send_minus, recv_minus) - np.multiply.outer(send_plus, recv_plus)
