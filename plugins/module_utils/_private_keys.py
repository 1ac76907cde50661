# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Load a PEM private key to read its public half, without OpenSSL's slow check of an RSA key.

``load_pem_private_key`` checks an RSA key with OpenSSL's RSA_check_key, which tests both primes for
primality: about half a second for a 4096-bit key, paid on every run by each lookup or module that only
compares the key's public half. cryptography 39 and later can skip that check; the arithmetic below
(n = p*q, d inverse of e, the CRT values) still refuses a key whose numbers do not fit together, which is
what a damaged file would show. A library without the option loads the key as before, with the full check.

The library is imported only when a key is loaded: tls_host_state must also answer on a host without it.
"""

from __future__ import annotations

import importlib


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def rsa_numbers_consistent(numbers):
    """Whether an RSA key's private numbers fit together (``RSAPrivateNumbers``), in a few big-int operations."""
    public = numbers.public_numbers
    p, q, d = numbers.p, numbers.q, numbers.d
    if p < 3 or q < 3 or p * q != public.n or public.e < 3:
        return False
    lcm = (p - 1) * (q - 1) // _gcd(p - 1, q - 1)
    return ((public.e * d) % lcm == 1 and numbers.dmp1 == d % (p - 1) and numbers.dmq1 == d % (q - 1)
            and (numbers.iqmp * q) % p == 1)


def load_private_key(data):
    """The unencrypted PEM private key in ``data`` (bytes).

    Raises what ``load_pem_private_key`` raises (ValueError, TypeError, UnsupportedAlgorithm, ImportError
    without the library), and ValueError for an RSA key whose numbers do not fit together.
    """
    serialization = importlib.import_module('cryptography.hazmat.primitives.serialization')
    try:
        key = serialization.load_pem_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError as exc:
        if 'unsafe_skip_rsa_key_validation' not in str(exc):
            raise
        # cryptography before 39: no way around the full check.
        return serialization.load_pem_private_key(data, password=None)
    rsa = importlib.import_module('cryptography.hazmat.primitives.asymmetric.rsa')
    if isinstance(key, rsa.RSAPrivateKey) and not rsa_numbers_consistent(key.private_numbers()):
        raise ValueError('the RSA key is not consistent')
    return key
