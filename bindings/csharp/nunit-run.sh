# Sourced by run-tests.sh and http/run-tests.sh: one place that runs an NUnit test assembly with
# Debian's nunit-console (NUnit 2.6) and turns its result file into the tally line
# "N passed, N failed".
#
# run_nunit DIR ASSEMBLY RESULT_XML: runs ASSEMBLY from DIR, prints the tally, returns non-zero on
# any failure. Not-run (ignored, skipped, invalid) and inconclusive tests count as failures: every
# test must run and pass. A result file left by an earlier run is removed first, so a runner that
# dies early can never be scored by an old file.
run_nunit() {
  local dir=$1 assembly=$2 result=$3 runner_status
  rm -f "$result"
  set +e
  (cd "$dir" && nunit-console "$assembly" -nologo -labels -noshadow -xml="$result")
  runner_status=$?
  set -e
  if [ ! -f "$result" ]; then
    echo "nunit-console exited with $runner_status and wrote no result file"
    echo "0 passed, 1 failed"
    return 1
  fi
  local total errors failures not_run inconclusive failed passed
  total=$(nunit_attr "$result" total)
  errors=$(nunit_attr "$result" errors)
  failures=$(nunit_attr "$result" failures)
  not_run=$(nunit_attr "$result" not-run)
  inconclusive=$(nunit_attr "$result" inconclusive)
  failed=$((errors + failures + not_run + inconclusive))
  passed=$((total - errors - failures - inconclusive))
  if [ "$runner_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
  fi
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# nunit_attr RESULT_XML NAME: one count of the <test-results> element.
nunit_attr() {
  sed -n "s/.*<test-results [^>]* $2=\"\\([0-9]*\\)\".*/\\1/p" "$1" | head -1
}
