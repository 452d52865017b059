"""The workbench (工作台): what a CSM, or a manager's team, has to act on today."""
