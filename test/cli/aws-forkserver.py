"""Test harness: runs the real AWS CLI (awscli + botocore, as installed) in processes forked from one that has
already imported it, so each `aws` call of a test costs milliseconds instead of a Python start-up (about 0.7 s of
CPU). Usage: aws-forkserver.py <socket path>; the `aws` client script next to the socket talks to it."""
import json
import os
import signal
import socket
import sys
import tempfile

import awscli.clidriver  # noqa: F401  (the import is the expensive part)
import botocore.session  # noqa: F401

# awscli adds its own data folder to botocore's search path through the environment, at import.
DATA_PATH = os.environ.get('AWS_DATA_PATH')
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(64)
print('ready', flush=True)


def receive(conn):
    data = b''
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return json.loads(data)
        data += chunk


def serve(conn):
    request = receive(conn)
    os.environ.clear()
    os.environ.update(request['env'])
    if DATA_PATH:
        os.environ['AWS_DATA_PATH'] = DATA_PATH
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    sys.stdout = os.fdopen(1, 'w', closefd=False)
    sys.stderr = os.fdopen(2, 'w', closefd=False)
    try:
        code = awscli.clidriver.create_clidriver().main(request['argv'])
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    out.seek(0)
    err.seek(0)
    conn.sendall(json.dumps({'code': code, 'stdout': out.read().decode(), 'stderr': err.read().decode()}).encode())
    conn.close()


while True:
    conn, _ = server.accept()
    if os.fork() == 0:
        server.close()
        try:
            serve(conn)
        finally:
            os._exit(0)
    conn.close()
