#!/bin/sh
# setup.sh DIR — a test PKI (CA, server certificate for 127.0.0.1, localhost
# and kubernetes.test, an admin client certificate) and the replay server
# binary, for the audit tests. Sourced values: $KDIR/{ca,server,client}.{crt,key}.
set -e
KDIR=$1
BUILD=${BUILD:-build}
mkdir -p "$KDIR"
cd "$KDIR"
if [ ! -f ca.crt ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=guardrail-test-ca" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=kube-apiserver" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.test\n' >server.ext
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/O=system:masters/CN=kapi-admin" 2>/dev/null
	openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 2>/dev/null
	# a certificate from another CA: the server must not take it
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.crt -days 2 -subj "/CN=rogue" 2>/dev/null
fi
