// An autumn valley: red and orange tree-covered slopes on both sides, a blue-grey river winding down the middle.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6eee2');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#f1d9c0', 220);
  brush.fillBleed(0.3);
  brush.rect(-256, -256, 512, 200);
  // distant hills
  brush.fill('#c9a08a', 220);
  brush.fillBleed(0.2);
  brush.polygon([[-280, -40], [-120, -110], [20, -70], [150, -120], [280, -60], [280, 40], [-280, 40]]);

  // left slope and right slope
  brush.fill('#c8452f', 250);
  brush.fillTexture(0.5, 0.3);
  brush.polygon([[-280, -70], [-60, 10], [-20, 280], [-280, 280]]);
  brush.polygon([[-280, -70], [-60, 10], [-20, 280], [-280, 280]]);
  brush.fill('#e27a34', 250);
  brush.polygon([[280, -80], [60, 0], [40, 280], [280, 280]]);
  brush.polygon([[280, -80], [60, 0], [40, 280], [280, 280]]);

  // river
  brush.fill('#7f9db3', 250);
  brush.fillBleed(0.12);
  brush.beginShape(0.6);
  brush.vertex(-6, -30); brush.vertex(20, 30); brush.vertex(-30, 120); brush.vertex(30, 200); brush.vertex(-20, 270);
  brush.vertex(70, 270); brush.vertex(70, 200); brush.vertex(10, 120); brush.vertex(40, 30); brush.vertex(6, -30);
  brush.endShape(true);

  // tree crowns
  const warm = ['#a82f25', '#d9612c', '#eaa03a', '#8e3a22'];
  for (let i = 0; i < 26; i++) {
    const left = i % 2 === 0;
    const y = random(0, 240);
    const x = left ? random(-250, -60 - y * 0.1) : random(80 + y * 0.05, 250);
    brush.fill(random(warm), 250);
    brush.fillBleed(0.15);
    brush.circle(x, y, map(y, 0, 240, 10, 26));
  }
  brush.set('HB', '#4a2a1a', 1);
  brush.noFill();
  brush.spline([[-280, -70], [-60, 10], [-20, 280]], 0.4);
  brush.spline([[280, -80], [60, 0], [40, 280]], 0.4);
}
