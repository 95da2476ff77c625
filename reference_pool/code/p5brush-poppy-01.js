// A scarlet field poppy on a branching stem with a closed bud, crumpled petals, black centre, on cream paper.
function ppetal(a, r, d, col, op) {
  push();
  rotate(a);
  brush.fill(col, op);
  brush.beginShape(0.65);
  brush.vertex(0, 0);
  brush.vertex(-r * 0.9, -d * 0.5);
  brush.vertex(-r * 0.85, -d * 1.05);
  brush.vertex(-r * 0.3, -d * 1.3);
  brush.vertex(r * 0.25, -d * 1.22);
  brush.vertex(r * 0.8, -d * 1.1);
  brush.vertex(r * 0.95, -d * 0.45);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f0e2');

  // stems
  brush.noFill();
  brush.set('charcoal', '#5a7a3a', 1.5);
  brush.spline([[-20, 60], [-50, 160], [-40, 260]], 0.6);
  brush.spline([[-48, 180], [-120, 100], [-150, -10]], 0.6);
  // bud
  brush.noStroke();
  brush.fillBleed(0.25);
  brush.fillTexture(0.45, 0.4);
  brush.fill('#7f9a52', 210);
  brush.beginShape(0.8);
  brush.vertex(-150, -5); brush.vertex(-172, -40); brush.vertex(-152, -80); brush.vertex(-132, -40);
  brush.endShape(true);
  brush.fill('#d7261e', 200);
  brush.polygon([[-160, -58], [-150, -96], [-139, -58]]);

  // open flower
  push();
  translate(20, -30);
  rotate(-8);
  brush.set('HB', '#8a1010', 0.5);
  brush.fillBleed(0.35);
  brush.fillTexture(0.55, 0.6);
  ppetal(-60, 110, 95, '#e0301e', 225);
  ppetal(60, 110, 95, '#e0301e', 225);
  brush.noStroke();
  ppetal(-60, 95, 80, '#c8201a', 150);
  ppetal(60, 95, 80, '#c8201a', 150);
  brush.set('HB', '#8a1010', 0.5);
  ppetal(170, 120, 90, '#ef4a2a', 225);
  ppetal(5, 100, 100, '#d7261e', 215);
  brush.noStroke();
  brush.fill('#b8160f', 160);
  brush.circle(0, 8, 45, 0.5);
  // black centre and stamens
  brush.hatch(2.5, 30, {rand: 0.2});
  brush.hatchStyle('charcoal', '#1c1414', 1);
  brush.circle(0, 0, 20, 0.3);
  brush.hatch(4, -40, {rand: 0.2});
  brush.circle(0, 0, 20, 0.3);
  brush.noHatch();
  brush.noFill();
  brush.set('charcoal', '#3a5a3a', 1.2);
  brush.circle(0, 0, 9);
  brush.set('pen', '#1c1414', 1.4);
  for (let i = 0; i < 14; i++) {
    const a = i * 360 / 14;
    brush.line(cos(a) * 20, sin(a) * 20, cos(a) * 38, sin(a) * 38);
  }
  brush.set('2H', '#7a0c0c', 0.6);
  brush.spline([[-30, 30], [-60, 70], [-70, 120]], 0.7);
  brush.spline([[35, 25], [70, 60], [95, 90]], 0.7);
  pop();
}
