// A sailboat on blue waves under a sunny sky (written with top-left coordinates, so the scene lands in the lower-right corner).
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#f6f3ea');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky
  brush.fill('#8fb9dc', 230);
  brush.fillBleed(0.3);
  brush.rect(0, 0, width, height / 2);
  // sun
  brush.fill('#f2c14e', 255);
  brush.circle(width * 0.8, height * 0.18, 40);
  // sea
  brush.fill('#2f619b', 240);
  brush.fillBleed(0.2);
  brush.rect(0, height / 2, width, height / 2);
  brush.fill('#1c4478', 220);
  brush.rect(0, height * 0.75, width, height / 4);

  // boat in the middle
  const cx = width / 2, cy = height / 2 + 40;
  brush.fill('#b8342a', 255);
  brush.polygon([[cx - 80, cy], [cx + 80, cy], [cx + 60, cy + 25], [cx - 60, cy + 25]]);
  brush.fill('#ecdcbc', 220);
  brush.polygon([[cx, cy - 150], [cx, cy - 5], [cx + 80, cy - 5]]);
  brush.set('pen', '#2a2a35', 1);
  brush.line(cx, cy - 160, cx, cy);
  // waves
  brush.set('2B', '#eef4f8', 1.6);
  for (let i = 0; i < 8; i++) {
    const x = random(width), y = random(height / 2 + 60, height);
    brush.line(x, y, x + 30, y - 4);
  }
}
