"""Every bad input of tests/bad_inputs.py is refused with an error of the stated type whose
message names the parameter and the value (numpy target: no compilation)."""

import pytest

from bad_inputs import CASES, missing_names

pytestmark = pytest.mark.usefixtures("numpy_target")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.api}: {c.name}" for c in CASES])
def test_bad_input_is_refused_clearly(case):
    with pytest.raises(case.error) as info:
        case.call()
    message = str(info.value)
    missing = missing_names(case, message)
    assert not missing, f"the message does not name {missing}: {message}"


def test_there_are_enough_cases():
    assert len(CASES) >= 120
    assert len({(c.api, c.name) for c in CASES}) == len(CASES)
