"""The assistant's verbs on files: parse, solve, certify, answer. Nothing is returned that the checker refused."""

from mesocentre.assistant import checker
from mesocentre.assistant.consolidate import consolidate
from mesocentre.assistant.explain import explain
from mesocentre.assistant.formats import RESOURCES, parse_request, parse_state
from mesocentre.assistant.placement import place


class Uncertified(RuntimeError):
    """The checker refused the solver's answer (a bug of the model: nothing is shown)."""


def place_request(state_data, vm_data, largest: bool = True) -> dict:
    """``{"feasible", "placement", "explanation", "largest"}`` for one request against a state (raw JSON data)."""
    state = parse_state(state_data, placed=True)
    vm = parse_request(vm_data, state)
    answer = place(state, vm, largest=largest)
    raw_vm = {**vm_data}
    try:
        if answer.feasible:
            checker.check_placement(state_data, raw_vm, answer.host, answer.standby_host, answer.backup_site)
        else:
            checker.check_explanation(state_data, raw_vm, answer.rules)
        if answer.largest is not None:
            checker.check_largest(state_data, raw_vm, answer.largest)
    except checker.Refused as exc:
        raise Uncertified(str(exc)) from None
    where = {"host": answer.host, "standby_host": answer.standby_host}
    if state.pools:  # a state with backup pools says where the backups go too
        where["backup_site"] = answer.backup_site
    result = {
        "feasible": answer.feasible,
        "placement": where if answer.feasible else None,
        "explanation": explain(state, vm, answer.rules) if not answer.feasible else [],
    }
    if answer.largest is not None:
        result["largest"] = {r: answer.largest[r] for r in RESOURCES}
    return result


def consolidate_instance(instance_data, time_limit: float = 30.0, workers: int = 2) -> dict:
    instance = parse_state(instance_data, placed=False)
    result = consolidate(instance, time_limit=time_limit, workers=workers).as_dict()
    try:
        checker.check_consolidation(instance_data, result)
    except checker.Refused as exc:
        raise Uncertified(str(exc)) from None
    return result
