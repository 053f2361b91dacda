#!/bin/bash
# The observer view (`tcplab run --observer`) against tshark's own TCP analysis: for every
# catalogue lab at its default seed, the pcap at the default capture point (the client) and
# our analyzer's tcp.analysis flags, frame by frame, must be what tshark says. A difference
# is allowed only where tests/observer/tshark-differences.txt lists it, with why.
# Usage: observer_tshark.sh BIN_DIR SOURCE_DIR [LAB...]   (AT=link or AT=HOST: another capture point)
set -u
bin=$1 src=$2
shift 2
if ! command -v tshark >/dev/null 2>&1; then
  echo "SKIP: tshark is not installed (apt-get install tshark); the observer view not compared"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
allow="$src/tests/observer/tshark-differences.txt"
fields=(retransmission fast_retransmission spurious_retransmission out_of_order lost_segment
        ack_lost_segment duplicate_ack zero_window zero_window_probe zero_window_probe_ack
        keep_alive keep_alive_ack window_update window_full reused_ports)
targs=()
for f in "${fields[@]}"; do targs+=(-e "tcp.analysis.$f"); done
labs=("$@")
if [ ${#labs[@]} -eq 0 ]; then
  # TCPLAB_SAMPLE_EVERY=N (the sanitizer build, tests/CMakeLists.txt): every N-th lab, of the
  # labs without a [[bottleneck]] (their long transfers took most of that build's minutes).
  every=${TCPLAB_SAMPLE_EVERY:-1}
  i=0
  for lab in "$src"/labs/catalogue/*.toml; do
    [ "$every" -gt 1 ] && grep -q '^\[\[bottleneck\]\]' "$lab" && continue
    (( i++ % every == 0 )) && labs+=("$lab")
  done
fi
names=$(IFS=,; echo "${fields[*]}")
failed=0 total=0 compared=0
for lab in "${labs[@]}"; do
  name=$(basename "$lab" .toml)
  "$bin/tcplab" run "$lab" -q --pcap "$tmp/$name.pcap" --pcap-at "${AT:-client}" --observer-fields "$tmp/$name.ours" >"$tmp/$name.out" 2>&1
  rc=$?
  if [ $rc -gt 1 ]; then cat "$tmp/$name.out"; echo "FAIL: $name: tcplab run exited $rc"; failed=1; continue; fi
  tshark -n -r "$tmp/$name.pcap" -T fields -E separator=/t -e frame.number "${targs[@]}" \
    -e tcp.analysis.duplicate_ack_num >"$tmp/$name.ts" 2>"$tmp/$name.err" ||
    { cat "$tmp/$name.err"; echo "FAIL: $name: tshark could not read the pcap"; failed=1; continue; }
  # Both sides as "frame<TAB>flags<TAB>dup ACK number", flags in one order.
  awk -F'\t' -v names="$names" 'BEGIN { n = split(names, nm, ",") }
    { f = ""; for (i = 1; i <= n; i++) if ($(i + 1) != "") f = f (f == "" ? "" : ",") nm[i];
      d = $(n + 2) == "" ? 0 : $(n + 2); print $1 "\t" (f == "" ? "-" : f) "\t" d }' "$tmp/$name.ts" >"$tmp/$name.theirs"
  cut -f1-3 "$tmp/$name.ours" >"$tmp/$name.mine"
  frames=$(wc -l <"$tmp/$name.theirs")
  total=$((total + frames))
  # Frames where the two differ, as "LAB<TAB>frame<TAB>ours<TAB>tshark's".
  join -t $'\t' -j1 <(sort -k1,1 "$tmp/$name.mine") <(sort -k1,1 "$tmp/$name.theirs") |
    awk -F'\t' -v lab="$name" '$2 != $4 || $3 != $5 { print lab "\t" $1 "\tours=" $2 "#" $3 "\ttshark=" $4 "#" $5 }' |
    sort -t $'\t' -k2,2n >"$tmp/$name.diff"
  [ "$(wc -l <"$tmp/$name.mine")" -eq "$frames" ] ||
    { echo "FAIL: $name: $(wc -l <"$tmp/$name.mine") frames in the observer view, $frames in the pcap"; failed=1; continue; }
  bad=0
  while IFS=$'\t' read -r l fr ours theirs; do
    # An allowed difference: "LAB<TAB>FRAME<TAB>ours=...<TAB>tshark=...<TAB>why".
    if grep -qF -- "$(printf '%s\t%s\t%s\t%s\t' "$l" "$fr" "$ours" "$theirs")" "$allow" 2>/dev/null; then continue; fi
    [ $bad -eq 0 ] && echo "FAIL: $name: the observer view and tshark differ (not in $(basename "$allow")):"
    bad=$((bad + 1))
    [ $bad -le 10 ] && printf '  frame %s: %s %s\n' "$fr" "$ours" "$theirs"
  done <"$tmp/$name.diff"
  if [ $bad -gt 0 ]; then failed=1; echo "  ($bad frame(s))"; continue; fi
  compared=$((compared + 1))
  echo "ok: $name: $frames frames, the same tcp.analysis flags as tshark"
done
[ $failed -eq 0 ] || exit 1
echo "ok: $compared labs, $total frames: the observer view and tshark agree (allowed differences: $(awk '!/^#/ && NF' "$allow" | wc -l))"

# The text view: Wireshark's words on the frames, the truth under them, and why they differ.
out=$("$bin/tcplab" run zero-window --observer 2>&1)
grep -q '^# observer view at client (10.0.0.1, the default: the client)' <<<"$out" || { echo "FAIL: --observer does not name its capture point"; exit 1; }
grep -q 'length 0  (zero-window probe)  \[TCP Keep-Alive\]$' <<<"$out" || { echo "FAIL: zero-window --observer: no [TCP Keep-Alive] frame"; exit 1; }
grep -q '^        knew: A>B#10 ACK: a zero-window probe (persist timer)$' <<<"$out" || { echo "FAIL: zero-window --observer: the probe's truth is missing"; exit 1; }
grep -q '^      ≠ a zero-window probe: Linux probes with SEQ=SND.UNA-1' <<<"$out" || { echo "FAIL: zero-window --observer: no reason for the difference"; exit 1; }
out=$("$bin/tcplab" run lossy-transfer --observer --pcap-at server 2>&1)
grep -q '^# observer view at server (10.0.0.2)' <<<"$out" || { echo "FAIL: --observer --pcap-at server does not say where it captured"; exit 1; }
grep -q '\[TCP Previous segment not captured\]' <<<"$out" || { echo "FAIL: lossy-transfer at the server: no lost segment"; exit 1; }
grep -q 'the missing bytes (A>B#[0-9]*) were lost: dropped (link' <<<"$out" || { echo "FAIL: lossy-transfer at the server: the loss is not explained"; exit 1; }
echo "ok: --observer prints Wireshark's labels, what the endpoints knew, and why they differ"
