// A moonlit sea in blue watercolour: navy sky, cobalt swells, a full moon and its silver path on the water.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef1f6');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  // sky gradient in two washes
  brush.fill('#27407a', 240);
  brush.fillBleed(0.15);
  brush.fillTexture(0.5, 0.4);
  brush.rect(-256, -256, 512, 260);
  brush.fill('#1b2d5c', 200);
  brush.rect(-256, -256, 512, 120);
  // moon
  brush.wash('#f4f1e2', 250);
  brush.circle(-60, -130, 34);
  brush.noWash();
  brush.fill('#e6e0c8', 200);
  brush.fillBleed(0.05);
  brush.circle(-60, -130, 34);
  // sea
  brush.fill('#2b58a0', 240);
  brush.fillBleed(0.15, 'out', 0);
  brush.rect(-256, 0, 512, 256);
  brush.fill('#1c3f7e', 200);
  brush.rect(-256, 120, 512, 136);
  // moon path
  brush.noStroke();
  brush.fill('#e3ebf7', 200);
  brush.fillBleed(0.25, 'out', 0);
  brush.fillTexture(0.7, 0.3);
  brush.polygon([[-68, 6], [-52, 6], [-10, 256], [-110, 256]]);
  brush.wash('#f1f4fa', 190);
  for (let i = 0; i < 10; i++) {
    const y = 14 + i * 24, w = 8 + i * 5;
    brush.rect(-60 + random(-10, 10), y, w * 2, 3, 'center');
  }
  brush.noWash();
  // swell strokes
  brush.set('2H', '#8aa6d6', 0.7);
  for (let i = 0; i < 12; i++) {
    const x = random(-250, 200), y = random(20, 240);
    brush.spline([[x, y], [x + 25, y - 4], [x + 55, y]], 0.7);
  }
  brush.set('2H', '#c8d4ea', 0.7);
  brush.line(-256, 2, 256, 2);
}
