// Sweeping orange sand dunes with sharp crests, deep shadowed lee sides and a big pale sun in a warm apricot sky.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f8eedb');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: apricot at the top fading to pale gold
  brush.fill('#f2b27a', 235);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.2);
  brush.rect(-256, -256, 512, 140);
  brush.fill('#f7d59a', 230);
  brush.rect(-256, -140, 512, 150);
  brush.fill('#fbf3df', 255);
  brush.fillBleed(0.1);
  brush.circle(-110, -120, 44);

  // dune bands, far to near; each crest is an asymmetric ridge
  const bands = [
    [-10, 40, '#eab075', '#d28a55'],
    [60, 55, '#e59552', '#bf6a3a'],
    [140, 65, '#d9763a', '#a84e2b'],
    [220, 60, '#c65f2c', '#8c3b22'],
  ];
  for (let k = 0; k < bands.length; k++) {
    const [base, amp, lit, shade] = bands[k];
    const cx = [-90, 110, -20, 140][k];
    const ridge = [];
    for (let x = -280; x <= 280; x += 20) {
      const d = (x - cx) / 180;
      const h = d < 0 ? amp * exp(-d * d * 2.2) : amp * exp(-d * d * 9);
      ridge.push([x, base - h - 10 * noise(x * 0.01 + k)]);
    }
    brush.fill(lit, 250);
    brush.fillBleed(0.15);
    brush.fillTexture(0.45, 0.3);
    brush.polygon([[-280, 290], ...ridge, [280, 290]]);
    brush.polygon([[-280, 290], ...ridge, [280, 290]]);
    // lee-side shadow: from the crest down to the right
    const crest = ridge.reduce((a, b) => (b[1] < a[1] ? b : a));
    brush.fill(shade, 235);
    brush.fillBleed(0.12);
    brush.beginShape(0.5);
    brush.vertex(crest[0], crest[1] + 2);
    brush.vertex(crest[0] + 70, base - amp * 0.25);
    brush.vertex(crest[0] + 150, base + 10);
    brush.vertex(crest[0] + 20, base + 30);
    brush.endShape(true);
  }

  // a tiny caravan on the middle crest
  brush.set('pen', '#3a1f14', 1);
  for (let i = 0; i < 3; i++) {
    const x = 40 + i * 16, y = 32 + i * 3;
    brush.line(x, y, x, y - 9);
    brush.line(x - 5, y - 7, x + 6, y - 9);
  }
}
