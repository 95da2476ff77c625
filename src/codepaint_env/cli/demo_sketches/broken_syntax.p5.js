// Broken on purpose: a missing closing brace, the commonest failure of truncated completions.
function setup() {
  createCanvas(512, 512);
  background(240);
  for (let i = 0; i < 10; i++) {
    circle(50 * i, 256, 40);
}
