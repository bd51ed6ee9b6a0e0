import oncocohort
from oncocohort.errors import DataValidationError, ValidationProblem


def test_version_is_a_release_string() -> None:
    parts = oncocohort.__version__.split(".")
    assert len(parts) >= 3 and parts[0].isdigit()


def test_validation_error_lists_every_problem_with_its_coordinates() -> None:
    problems = [
        ValidationProblem("patients", "P001", "age", "130", "a number from 0 to 120", rule="age_range"),
        ValidationProblem("lesions", "P002", "longest_diameter_mm", "-3", "a non-negative diameter",
                          location="visit 2023-01-05, lesion T1"),
    ]
    err = DataValidationError(problems)
    text = str(err)
    assert "2 error(s)" in text
    assert "patients, patient P001, column 'age': value '130'" in text
    assert "lesions, patient P002, visit 2023-01-05, lesion T1" in text
    assert list(err.to_frame()["row"]) == ["P001", "P002"]
