"""Slurm through its own tools: validated names and a thin client over sacctmgr, sacct, squeue and sbatch."""
