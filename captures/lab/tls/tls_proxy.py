#!/usr/bin/env python3
"""A TLS-terminating TCP relay (python3 stdlib only): accepts TLS on --listen with the lab
certificate and relays each connection's plaintext, byte for byte, to its own TCP connection to
--connect. Put in front of a cleartext server (Synapse's HTTP listener, kamailio's WebSocket
port), it makes one run give two legs of the same bytes: the TLS leg of the capture and its
cleartext twin. The clients write the key log (SSLKEYLOGFILE); the relay writes none.

usage: tls_proxy.py --listen IP:PORT --connect IP:PORT --cert PEM --key PEM
"""
import argparse
import asyncio
import ssl


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


async def pump(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
            else:
                writer.close()
        except (OSError, RuntimeError):
            pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--connect", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    args = ap.parse_args()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    backend = endpoint(args.connect)

    async def relay(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection(*backend)
        await asyncio.gather(pump(client_reader, server_writer), pump(server_reader, client_writer))
        client_writer.close()
        server_writer.close()

    host, port = endpoint(args.listen)
    server = await asyncio.start_server(relay, host, port, ssl=context)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
