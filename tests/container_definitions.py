"""An ECS container definition as the pack reads it (a JSON string), shared by the rule tests and the price tests."""

from __future__ import annotations

import json

ACCOUNT = "123456789012"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/acme/web:1.4.2"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:acme/db-AbCdEf"


def containers(image="ghcr.io/acme/web:1.4.2", environment=None, secrets=None, log_group="/ecs/acme-web"):
    return json.dumps([{
        "name": "web", "image": image, "essential": True, "portMappings": [{"containerPort": 3000}],
        "environment": [{"name": k, "value": v} for k, v in (environment or {"NODE_ENV": "production"}).items()],
        "secrets": secrets if secrets is not None else [{"name": "DATABASE_PASSWORD", "valueFrom": SECRET_ARN}],
        "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": log_group,
                                                                 "awslogs-region": "us-east-1"}}}])
