"""`aws` for the tests: hands argv and the environment to aws-forkserver.py and prints what the real CLI printed;
with CDK_BACKEND_PLATFORM_TEST_AWS_LOG set, also appends its argv to that file (one JSON array a line)."""
import json
import os
import socket
import sys

if os.environ.get('CDK_BACKEND_PLATFORM_TEST_AWS_LOG'):
    with open(os.environ['CDK_BACKEND_PLATFORM_TEST_AWS_LOG'], 'a') as log:
        log.write(json.dumps(sys.argv[1:]) + '\n')
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.connect(os.environ['CDK_BACKEND_PLATFORM_TEST_AWS_SOCKET'])
conn.sendall(json.dumps({'argv': sys.argv[1:], 'env': dict(os.environ)}).encode())
conn.shutdown(socket.SHUT_WR)
data = b''
while True:
    chunk = conn.recv(65536)
    if not chunk:
        break
    data += chunk
reply = json.loads(data)
sys.stdout.write(reply['stdout'])
sys.stderr.write(reply['stderr'])
sys.exit(reply['code'])
