const t0=Date.now();
const ts=require("typescript"); const t1=Date.now();
const c=require("tslab/dist/converter.js"); const t2=Date.now();
const conv=c.createConverter(); const t3=Date.now();
conv.convert("", "0"); const t4=Date.now();
conv.convert("", "1+1"); const t5=Date.now();
console.log({requireTs:t1-t0, converterMod:t2-t1, create:t3-t2, firstConvert:t4-t3, second:t5-t4});
