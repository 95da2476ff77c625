// A teal alpine lake mirroring dark mountains, pine shoreline on the left, mint-green sky at morning.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eef3ef');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#cfe6dc', 230);
  brush.fillBleed(0.3);
  brush.rect(-256, -256, 512, 250);

  // mountains
  const m = [[-280, 0], [-180, -120], [-90, -60], [10, -160], [120, -70], [200, -110], [280, -40], [280, 0]];
  brush.fill('#3f7f7a', 250);
  brush.fillBleed(0.15);
  brush.fillTexture(0.5, 0.3);
  brush.polygon(m);
  brush.fill('#2b5f5e', 220);
  brush.polygon([[10, -160], [120, -70], [60, 0], [0, 0]]);
  // reflection
  const r = m.map(([x, y]) => [x, -y * 0.8 + 10]);
  brush.fill('#2f8c88', 220);
  brush.fillBleed(0.25);
  brush.polygon(r);
  // lake water
  brush.fill('#58b0a6', 200);
  brush.fillBleed(0.2);
  brush.rect(-256, 10, 512, 250);
  brush.fill('#1f6e6a', 200);
  brush.rect(-256, 180, 512, 80);

  // pines on the left shore
  for (let i = 0; i < 6; i++) {
    const x = -250 + i * 22;
    const h = 60 + random(-10, 25);
    brush.fill('#16403c', 255);
    brush.fillBleed(0.05);
    brush.polygon([[x, 10 - h], [x - 12, 12], [x + 12, 12]]);
  }
  // ripple lines
  brush.set('2H', '#e6f2ee', 1.2);
  for (let i = 0; i < 10; i++) {
    const y = random(30, 240);
    const x = random(-200, 150);
    brush.line(x, y, x + random(40, 90), y);
  }
}
