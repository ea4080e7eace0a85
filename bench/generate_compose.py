#!/usr/bin/env python3
"""Writes a compose file with N services and N secrets, each service using one secret in long syntax
and one in short syntax, plus the fields real services carry. Usage: generate_compose.py N OUT_DIR"""
import os
import sys

count = int(sys.argv[1])
out_dir = sys.argv[2]
os.makedirs(os.path.join(out_dir, "secrets"), exist_ok=True)
lines = ['version: "3.8"', "services:"]
for i in range(count):
    lines += [
        f"  svc{i}:",
        f"    image: registry.example.com/team/svc{i}:1.{i % 10}",
        "    command: [\"serve\", \"--port\", \"8080\"]",
        "    environment:",
        f"      SERVICE_NAME: svc{i}",
        f"      DB_PASSWORD_FILE: /run/secrets/secret{i}",
        "      LOG_LEVEL: ${LOG_LEVEL:-info}",
        "    ports:",
        f"      - \"{10000 + i}:8080\"",
        "    secrets:",
        f"      - source: secret{i}",
        "        target: db_password",
        "        uid: \"1000\"",
        "        gid: \"1000\"",
        "        mode: 0400",
        f"      - secret{(i + 1) % count}",
        "    deploy:",
        "      replicas: 1",
        "      resources:",
        "        limits:",
        "          cpus: \"0.5\"",
        "          memory: 128M",
        "    healthcheck:",
        "      test: [\"CMD\", \"wget\", \"-q\", \"-O-\", \"http://localhost:8080/health\"]",
        "      interval: 10s",
        "      retries: 3",
        "    labels:",
        "      com.example.team: platform",
    ]
lines.append("secrets:")
for i in range(count):
    lines += [f"  secret{i}:", f"    file: ./secrets/secret{i}.txt"]
    with open(os.path.join(out_dir, "secrets", f"secret{i}.txt"), "w") as f:
        f.write(f"bench-value-{i}")
with open(os.path.join(out_dir, "docker-compose.yml"), "w") as f:
    f.write("\n".join(lines) + "\n")
