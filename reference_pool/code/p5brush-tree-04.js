// A cherry blossom tree in full bloom: a dark gnarled trunk under layered pink petal clouds, petals drifting down.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#fbf4f1');
  brush.scaleBrushes(1.5);

  // soft ground
  brush.noStroke();
  brush.fill('#cfdcae', 160);
  brush.fillBleed(0.25);
  brush.fillTexture(0.4, 0.2);
  brush.beginShape(0.7);
  brush.vertex(-256, 175);
  brush.vertex(0, 160);
  brush.vertex(256, 178);
  brush.vertex(256, 256);
  brush.vertex(-256, 256);
  brush.endShape(true);

  // trunk: a light wash, then dark charcoal bark strokes
  brush.fill('#6b4f48', 200);
  brush.fillBleed(0.05);
  brush.fillTexture(0.2, 0.3);
  brush.polygon([[-28, 182], [26, 182], [16, 40], [-16, 40]]);
  brush.noFill();
  for (let i = 0; i < 7; i++) {
    const x = -22 + i * 7;
    brush.set('charcoal', '#2e1e1c', 3.2);
    brush.spline([[x * 1.2, 182], [x * 0.8 + random(-4, 4), 110], [x * 0.6, 40]], 0.5);
  }
  // limbs reaching into the crown
  brush.set('charcoal', '#2e1e1c', 3.5);
  brush.spline([[10, 50], [70, -20], [150, -50]], 0.6);
  brush.spline([[-12, 45], [-80, -15], [-160, -30]], 0.6);
  brush.set('2B', '#2e1e1c', 2.5);
  brush.spline([[0, 50], [12, -40], [-8, -130]], 0.6);
  brush.spline([[70, -20], [90, -80], [70, -140]], 0.6);
  brush.spline([[-80, -15], [-105, -70], [-90, -120]], 0.6);

  // blossom clouds: deep first, then light on top
  brush.noStroke();
  const cols = ['#c9577f', '#e0809f', '#efa5bd', '#f8cbd8'];
  for (let layer = 0; layer < 4; layer++) {
    for (let i = 0; i < 11; i++) {
      const a = random(185, 355);
      const rr = random(50, 160);
      const x = cos(a) * rr * 1.25;
      const y = -30 + sin(a) * rr * 0.8 - layer * 6;
      brush.fill(cols[layer], 185);
      brush.fillBleed(0.3);
      brush.fillTexture(0.55, 0.45);
      brush.circle(x, y, random(22, 40) - layer * 3);
    }
  }

  // falling petals
  brush.fill('#e0819f', 220);
  brush.fillBleed(0.1);
  for (let i = 0; i < 12; i++) {
    brush.circle(random(-210, 220), random(40, 210), random(3, 5));
  }
}
