// Plain p5.js (2D): a night skyline under a full moon, drawn in draw() then stopped.
function setup() {
  createCanvas(512, 512);
  noLoop();
}

function draw() {
  for (let y = 0; y < height; y++) {
    stroke(lerpColor(color('#0b1d3a'), color('#3b2c5a'), y / height));
    line(0, y, width, y);
  }
  noStroke();
  fill('#f4e9c1');
  circle(390, 110, 70);
  fill(244, 233, 193, 60);
  circle(390, 110, 96);  // halo
  randomSeed(3);
  for (let x = 0; x < width; x += random(28, 54)) {
    const w = random(26, 50), h = random(80, 260);
    fill(20, 22, 40);
    rect(x, height - h, w, h);
    fill('#ffd27a');
    for (let wy = height - h + 10; wy < height - 10; wy += 16) {
      for (let wx = x + 5; wx < x + w - 8; wx += 10) {
        if (random() < 0.35) rect(wx, wy, 5, 8);
      }
    }
  }
}
