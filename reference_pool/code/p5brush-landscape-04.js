// Layered blue mountain ridges at dawn under a peach sky with a low orange sun and a row of inked pines in front.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6efe4');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // warm sky, stronger near the horizon
  brush.fill('#f7d7b0', 230);
  brush.fillBleed(0.3);
  brush.fillTexture(0.3, 0.2);
  brush.rect(-256, -256, 512, 300);
  brush.fill('#f2b27e', 220);
  brush.fillBleed(0.35);
  brush.rect(-256, -110, 512, 120);
  // sun
  brush.fill('#e8743b', 255);
  brush.fillBleed(0.15);
  brush.circle(85, -95, 34);
  brush.circle(85, -95, 30);

  // ridges from far (pale) to near (deep); nearer ridges get two coats
  const cols = ['#aebfd6', '#86a0c2', '#5a7aa3', '#34547c', '#1d3150'];
  for (let k = 0; k < cols.length; k++) {
    const base = -55 + k * 52;
    const pts = [[-280, 280]];
    for (let x = -280; x <= 280; x += 35) {
      pts.push([x, base - 75 * noise(x * 0.007 + k * 7.3)]);
    }
    pts.push([280, 280]);
    brush.fill(cols[k], 245);
    brush.fillBleed(0.18);
    brush.fillTexture(0.5, 0.35);
    for (let c = 0; c < 1 + (k > 1 ? 1 : 0) + (k > 3 ? 1 : 0); c++) brush.polygon(pts);
  }

  // pines on the nearest ridge
  brush.set('pen', '#101c30', 1.1);
  for (let i = 0; i < 6; i++) {
    const x = -215 + i * 26 + random(-6, 6);
    const y = 215 + random(-6, 6);
    const h = random(45, 80);
    brush.line(x, y, x, y - h);
    for (let j = 1; j < 6; j++) {
      const yy = y - h + j * h / 6;
      brush.line(x, yy - 5, x - j * 3.5, yy + 4);
      brush.line(x, yy - 5, x + j * 3.5, yy + 4);
    }
  }
}
