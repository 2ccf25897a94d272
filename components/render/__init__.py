"""Pure logic, no resources: subnet planning, alarm specs, Compose files, Kubernetes manifests, boot scripts."""
