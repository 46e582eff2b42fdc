"""Unit: shares as reports show them, and the delivery weights of other staff's work."""

from __future__ import annotations

import numpy as np

from gpworkforce.model.ratios import share_of
from gpworkforce.model.skillmix import delivery_weight


def test_share_of_is_zero_when_the_whole_is_empty() -> None:
    assert share_of(5.0, 20.0) == 0.25  # e.g. a gap of 5 on demand of 20
    assert share_of(5.0, 0.0) == 0.0
    np.testing.assert_allclose(share_of(np.array([60.0, 40.0, 3.0]), np.array([100.0, 100.0, 0.0])), [0.6, 0.4, 0])
    np.testing.assert_allclose(share_of(np.array([30.0, 70.0]), 100.0), [0.3, 0.7])


def test_delivery_weight_adds_the_base_weight_to_other_clinical_roles_only() -> None:
    # roles [GP, nurse, HCA]; nurse skilled 0.2 and 0.5: 0.21 and 0.51; HCA unskilled: 0.01
    skills = np.array([[0.0, 0.0], [0.2, 0.5], [0.0, 0.0]])
    out = delivery_weight(skills, 0.01, np.array([0.0, 1.0, 1.0]))
    np.testing.assert_allclose(out, [[0.0, 0.0], [0.21, 0.51], [0.01, 0.01]])
