# The number of rounds a stress loop runs: all of them, or a fifth (at least one) when
# STACKUP_TEST_QUICK is set, as scripts/test.sh does for the sanitizer build, where each stackup
# process costs several times more and the release build has run every round already.
rounds() { if [ -n "${STACKUP_TEST_QUICK:-}" ]; then echo $((($1 + 4) / 5)); else echo "$1"; fi; }
