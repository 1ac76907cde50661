"""Stand-in for the get-pip bootstrap script that ansible-test downloads.

ansible-test fetches get-pip.py from a host this network does not reach, and
runs it as `python get_pip_X.py <pip install arguments>` inside each fresh
sanity virtualenv, with a scrubbed environment (PIP_CONFIG_FILE=/dev/null, no
PIP_CERT). This stand-in bootstraps pip from the interpreter's own ensurepip,
makes that pip trust the machine's CA bundle (the package index is reached
through it), then installs what ansible-test asked for.
"""
import ensurepip
import os
import shutil
import subprocess
import sys

# get-pip.py's own switches: plain `pip install` adds neither package anyway.
OWN_SWITCHES = {"--no-setuptools", "--no-wheel"}
BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
FIND_CERTIFI = "import pip._vendor.certifi as c; print(c.where())"


def trust_machine_bundle():
    """Point the environment's pip at the machine's CA bundle, if there is one."""
    if not os.path.exists(BUNDLE):
        return
    where = subprocess.check_output([sys.executable, "-c", FIND_CERTIFI], text=True).strip()
    shutil.copyfile(BUNDLE, where)


ensurepip.bootstrap(upgrade=True)
trust_machine_bundle()
arguments = [arg for arg in sys.argv[1:] if arg not in OWN_SWITCHES]
status = subprocess.call([sys.executable, "-m", "pip", "install", *arguments])
trust_machine_bundle()  # the pip just installed brings its own bundle again
sys.exit(status)
