"""Moving an app between phase stacks: the facts (`facts`), the plan (`plan`), its steps (`steps`, `cutover`), the
progress on disk (`state`), and the runner with its rollback (`runner`)."""
