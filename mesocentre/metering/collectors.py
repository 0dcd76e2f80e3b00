"""What a backend's accounting says about finished work: Slurm's final job states (collect-slurm hands sacct's rows
to ``metering.sacct``, which records a job once it has an end)."""

# A job in one of these states will not consume more: it can be recorded once and for all.
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL"}
