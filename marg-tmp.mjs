const mods = process.argv.slice(2);
const out = [];
for (const m of mods) { const t = performance.now(); await import(m); out.push(`${m.replace(/.*dist\//,'')}=${(performance.now() - t).toFixed(0)}`); }
console.log(out.join(' '));
