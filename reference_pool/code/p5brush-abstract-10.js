// An abstract in pinks: stacked translucent rose, coral and blush rectangles with a magenta stripe and pencil grid.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#fbf4f1');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  const blocks = [[-200, -200, 260, 180, '#f3b6c4'], [-60, -140, 250, 200, '#e98aa5'], [-180, 20, 220, 180, '#f6c9cf'], [20, 60, 190, 150, '#d9577f'], [-120, -60, 140, 120, '#f09a8a']];
  for (const [x, y, w, h, c] of blocks) {
    brush.fill(c, 210);
    brush.fillBleed(0.2);
    brush.fillTexture(0.5, 0.6);
    brush.rect(x, y, w, h);
  }
  brush.fill('#b0245a', 220);
  brush.fillBleed(0.1);
  brush.rect(-230, 150, 460, 22);
  // pencil grid
  brush.set('2H', '#8a3a55', 0.6);
  brush.noFill();
  for (let x = -192; x <= 192; x += 64) brush.line(x, -230, x, 230);
  for (let y = -192; y <= 192; y += 64) brush.line(-230, y, 230, y);
  brush.set('HB', '#5a1a35', 1.2);
  brush.circle(110, -120, 30);
}
