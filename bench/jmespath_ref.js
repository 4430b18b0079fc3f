// jmespath_ref.js — the reference JavaScript implementation (npm `jmespath`)
// over the same inputs and expressions as build/bench/jmespath_bench.
// Usage: node bench/jmespath_ref.js OUTDIR [SECONDS]
// OUTDIR holds corpus.json, pod.json, exprs.tsv (written by the C bench) and
// node_modules/jmespath. Prints "ref<TAB>name<TAB>searches/s". jmespath.search
// parses and evaluates on each call (the package has no public way to run a
// compiled tree), so it compares with the C figure for compile + evaluate.
// Time is the process's CPU time (user + system), as the C side uses CPU time.
'use strict';
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const seconds = parseFloat(process.argv[3] || '0.5');
const jmespath = require(path.resolve(dir, 'node_modules', 'jmespath'));
const corpus = JSON.parse(fs.readFileSync(path.join(dir, 'corpus.json'), 'utf8'));
const pod = JSON.parse(fs.readFileSync(path.join(dir, 'pod.json'), 'utf8'));
// name <TAB> expression (JSON string) <TAB> input: corpus, pod, or the JSON itself
const lines = fs.readFileSync(path.join(dir, 'exprs.tsv'), 'utf8').split('\n').filter(Boolean);

function cpu() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

for (const line of lines) {
  const [nameText, exprText, inputText] = line.split('\t');
  const name = JSON.parse(nameText);
  const expr = JSON.parse(exprText);
  const input = inputText === 'corpus' ? corpus : inputText === 'pod' ? pod : JSON.parse(inputText);
  try {
    jmespath.search(input, expr);
  } catch (e) {
    console.log(`ref\t${name}\terror ${e.name}`);
    continue;
  }
  let n = 0;
  const t0 = cpu();
  let t;
  do {
    for (let k = 0; k < 16; k++, n++) jmespath.search(input, expr);
    t = cpu() - t0;
  } while (t < seconds);
  console.log(`ref\t${name}\t${Math.round(n / t)}`);
}
