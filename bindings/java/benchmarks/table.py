#!/usr/bin/env python3
"""Renders a JMH JSON result (run.sh ... -rf json -rff FILE) as the Markdown
table of docs/benchmarks/java.md: the median of the measured iterations of each
benchmark, and binding-vs-hand-written ratios from the same run."""
import json
import statistics
import sys

PAIRS = [
    ("Kingdee X-Api-Signature: `Kingdee.signature`", "bindingKingdeeSignature", "javaKingdeeSignature",
     "javax.crypto, URLEncoder, new Mac per call"),
    ("Kingdee X-Api-Signature: `KingdeeSigner.signature`", "bindingKingdeeSigner", "javaKingdeeSignature",
     "javax.crypto, URLEncoder, new Mac per call"),
    ("Kingdee X-Api-Signature: `KingdeeSigner.signature`", "bindingKingdeeSigner", "javaKingdeeSignaturePrepared",
     "the same, Mac keyed once"),
    ("Weaver getToken sign: `Weaver.sign`", "bindingWeaverSign", "hutoolWeaverSign",
     "hutool SecureUtil.md5 + SecureUtil.aes(key).encryptHex"),
    ("Weaver getToken sign: `WeaverSigner.sign`", "bindingWeaverSigner", "hutoolWeaverSign",
     "hutool SecureUtil.md5 + SecureUtil.aes(key).encryptHex"),
    ("Weaver getToken sign: `WeaverSigner.sign`", "bindingWeaverSigner", "hutoolWeaverSignPrepared",
     "the same, AES object and MD5 made once"),
    ("Kingdee app_signature: `Kingdee.appSignature`", "bindingKingdeeAppSignature", "javaKingdeeAppSignature",
     "javax.crypto, new Mac per call"),
]

def main(path):
    with open(path) as f:
        results = json.load(f)
    medians = {}
    for r in results:
        name = r["benchmark"].rsplit(".", 1)[1]
        scores = [s for fork in r["primaryMetric"]["rawData"] for s in fork]
        medians[name] = (statistics.median(scores), min(scores), max(scores), r["primaryMetric"]["scoreUnit"])
    print("| operation | binding (median, min–max) | hand-written Java (median, min–max) | Java code | speed-up |")
    print("|---|---|---|---|---|")
    for label, binding, java, how in PAIRS:
        if binding not in medians or java not in medians:
            continue
        b, j = medians[binding], medians[java]
        print(f"| {label} | {b[0]:,.0f} ns ({b[1]:,.0f}–{b[2]:,.0f}) | {j[0]:,.0f} ns ({j[1]:,.0f}–{j[2]:,.0f}) "
              f"| {how} | **{j[0] / b[0]:.1f}x** |")
    if "cachedAppToken" in medians:
        t = medians["cachedAppToken"]
        print(f"| KingdeeClient.appToken(), cached | {t[0]:,.0f} ns ({t[1]:,.0f}–{t[2]:,.0f}) | | | |")
    if results:
        r = results[0]
        print()
        print(f"JMH {r.get('jmhVersion', '?')}, {r['jvm']} {r.get('vmName', '')} {r.get('vmVersion', '')}, "
              f"{r['forks']} fork, {r['warmupIterations']} x {r['warmupTime']} warm-up, "
              f"{r['measurementIterations']} x {r['measurementTime']} measured, mode {r['mode']}.")

if __name__ == "__main__":
    main(sys.argv[1])
