// Sleeps the given whole seconds, printing a tick each second, then says so.
const seconds = Number(process.argv[2] ?? "1");
let n = 0;
const t = setInterval(() => {
  n++;
  console.log(`tick ${n}/${seconds}`);
  if (n >= seconds) {
    clearInterval(t);
    console.log(`slept ${seconds} seconds`);
  }
}, 1000);
